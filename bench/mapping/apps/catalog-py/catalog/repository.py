import time
import random

from aws_xray_sdk.core import xray_recorder

PRODUCTS = {
    'p-100': {'id': 'p-100', 'name': 'Trail Running Shoe', 'brand': 'Northpeak', 'category': 'shoes',
              'description': 'Lightweight trail shoe with rock plate', 'price': 129.0, 'rating': 4.6, 'reviews': 812},
    'p-101': {'id': 'p-101', 'name': 'Road Running Shoe', 'brand': 'Swiftly', 'category': 'shoes',
              'description': 'Cushioned daily trainer for road running', 'price': 109.0, 'rating': 4.3, 'reviews': 1290},
    'p-200': {'id': 'p-200', 'name': 'Running Vest 5L', 'brand': 'Northpeak', 'category': 'packs',
              'description': 'Hydration vest for long trail runs', 'price': 89.0, 'rating': 4.7, 'reviews': 301},
    'p-300': {'id': 'p-300', 'name': 'Merino Running Socks', 'brand': 'Woolly', 'category': 'apparel',
              'description': 'Blister-free socks, trail and road', 'price': 19.0, 'rating': 4.8, 'reviews': 2210},
    'p-301': {'id': 'p-301', 'name': 'Wind Jacket', 'brand': 'Swiftly', 'category': 'apparel',
              'description': 'Packable running jacket', 'price': 149.0, 'rating': 4.1, 'reviews': 97},
}


class ProductRepository:
    """Talks to the catalog database (faked in memory for local runs)."""

    def __init__(self, products=None):
        self._products = products if products is not None else PRODUCTS

    def _query(self, sql, fetch):
        subsegment = xray_recorder.begin_subsegment('catalog-db@db.internal', 'remote')
        subsegment.set_sql({
            'url': 'mysql://db.internal:3306/catalog',
            'database_type': 'MySQL',
            'database_version': '8.0.36',
            'user': 'catalog_ro',
            'sanitized_query': sql,
        })
        try:
            time.sleep(0.002 + random.random() * 0.003)
            return fetch()
        finally:
            xray_recorder.end_subsegment()

    def get(self, product_id):
        return self._query('SELECT * FROM products WHERE id = %s',
                           lambda: dict(self._products[product_id]) if product_id in self._products else None)

    @xray_recorder.capture('repo.search')
    def search(self, terms, limit=20):
        rows = self._query('SELECT * FROM products WHERE MATCH(name, description) AGAINST (%s)',
                           lambda: [dict(p) for p in self._products.values()])
        time.sleep(0.002)  # post-filtering we can't push down to MySQL yet
        return [p for p in rows
                if any(t in p['name'].lower() or t in p['description'].lower() for t in terms)][:limit]
