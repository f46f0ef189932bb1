import hashlib
import time

from aws_xray_sdk.core import xray_recorder


class InventoryClient:
    """Client for the warehouse stock service (stubbed)."""

    def __init__(self, warehouse='FRA-1'):
        self.warehouse = warehouse

    @xray_recorder.capture()
    def stock_level(self, sku):
        time.sleep(0.003)  # one RPC per SKU, batching is on the roadmap
        digest = hashlib.sha1(f'{self.warehouse}:{sku}'.encode()).digest()
        return digest[0] % 40

    def is_available(self, sku, quantity=1):
        return self.stock_level(sku) >= quantity
