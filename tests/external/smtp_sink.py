"""A real SMTP server for the tests (aiosmtpd): listens on 127.0.0.1 on a free port,
prints the port, and keeps each message it is given as DIR/N.eml with its envelope in
DIR/N.json. Runs until killed."""
import asyncio
import json
import os
import sys

from aiosmtpd.smtp import SMTP


class Keep:
    def __init__(self, folder):
        self.folder = folder
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(self.folder, str(self.n))
        with open(base + ".eml.part", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(base + ".eml.part", base + ".eml")
        with open(base + ".json", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
        return "250 OK"


async def main(folder):
    loop = asyncio.get_running_loop()
    handler = Keep(folder)
    server = await loop.create_server(lambda: SMTP(handler), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()


asyncio.run(main(sys.argv[1]))
