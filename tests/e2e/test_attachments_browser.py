"""A customer's photo in the holder's console, in a real browser, through the attachments proxy (issue 19)."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from social_bridge.channels.messenger import Messenger
from social_bridge.chat.attachments import AttachmentFetcher
from social_bridge.chat.delivery import Delivery
from social_bridge.chat.threads import Threads
from social_bridge.privacy.pseudonyms import PersonKeys
from social_bridge.web.bridge import Social
from tests.e2e.test_console_browser import browser, shot, sign_in  # noqa: F401 (fixtures)
from tests.integration.test_attachments_proxy import arrive
from tests.integration.test_console import build_app, build_bridge, enqueue, seed_agents
from tests.support.fake_social import FakeSocial
from tests.support.sample_files import png
from tests.support.served import served

PAYLOAD = Path(__file__).parent.parent / "data" / "payloads" / "messenger_message_attachments.json"
PHOTO = png(120, 80, (30, 120, 200))


@pytest.fixture
def server(redis_client):
    meta = FakeSocial().start()
    meta.serve_file("/v/t1.15752-9/modem_lights.png", "image/png", PHOTO)
    messenger = Messenger("app-secret", "verify", "page-token", "PAGE_ID", graph_base=meta.base_url + "/v21.0")
    threads = Threads(redis_client, PersonKeys("test person keys"), time.time)
    channels = {"messenger": messenger}
    social = Social(channels=channels, threads=threads, delivery=Delivery(threads, channels, [].append), inbound=None)
    fetcher = AttachmentFetcher({"messenger": ("bearer", "page-token")}, {"messenger": meta.base_url + "/v21.0"})
    bridge = build_bridge(redis_client, time.time, social=social, attachments=fetcher)
    seed_agents(bridge)
    enqueue(bridge, "callback:1", ago=30)  # the queue the console opens on is not empty
    [inbound] = messenger.parse(PAYLOAD.read_bytes().replace(b"https://scontent.xx.fbcdn.net", meta.base_url.encode()))
    message, item = arrive(bridge, inbound)
    bridge.claims.claim(item.id, "maria")
    with served(build_app(bridge)) as url:
        yield {"url": url, "item": item, "message": message, "meta": meta}
    meta.stop()


def test_the_holder_sees_the_customers_photo_inline(server, browser):  # noqa: F811
    maria = sign_in(browser, server["url"], "maria")
    maria.goto(f"{server['url']}/console/items/{server['item'].id}")
    photo = maria.locator(f'li[data-message="{server["message"].id}"] img.attachment-image')
    photo.wait_for()
    maria.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    assert photo.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [120, 80]
    assert photo.get_attribute("src") == f"/console/attachments/{server['message'].id}/0"
    assert server["meta"].base_url not in maria.content()
    assert maria.locator(f'li[data-message="{server["message"].id}"] .bubble > i').inner_text() == "[immagine]"
    shot(maria, "item-attachment-photo")
