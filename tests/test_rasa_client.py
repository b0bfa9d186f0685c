"""The REST client of the web app and the Telegram relay passes on Rasa's 429 sentence."""
from __future__ import annotations

import asyncio

from aiohttp import web

from apps.rasa_client import RasaClient


def test_a_message_sent_too_fast_gets_rasas_sentence_not_the_apology():
    async def refuse(request):
        return web.json_response({"error": "Patientez 12 secondes."}, status=429, headers={"Retry-After": "12"})

    async def run():
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", refuse)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        client = RasaClient(f"http://127.0.0.1:{port}", 5)
        await client.start()
        try:
            return await client.say("bonjour", "tg-x", input_channel="telegram")
        finally:
            await client.close()
            await runner.cleanup()

    assert asyncio.run(run()) == [{"text": "Patientez 12 secondes."}]
