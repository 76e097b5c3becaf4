"""The physical floor: a bare `websockets` server that broadcasts one frame to everyone.

Usage: python -m bench.raw_server PORT FRAME_BYTES. A client that sends "go" makes the
server broadcast a frame of FRAME_BYTES to every other connected client.
"""

import asyncio
import resource
import sys

from websockets.asyncio.server import broadcast, serve

CLIENTS = set()


async def handler(socket):
    CLIENTS.add(socket)
    try:
        async for message in socket:
            if message == "go":
                frame = '{"type":"update","pad":"' + "x" * FRAME + '"}'
                broadcast([c for c in CLIENTS if c is not socket], frame)
    finally:
        CLIENTS.discard(socket)


async def main(port: int):
    async with serve(handler, "127.0.0.1", port, max_queue=None, ping_interval=None):
        await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    FRAME = int(sys.argv[2])
    asyncio.run(main(int(sys.argv[1])))
