import os
import time
import traceback

import tracing  # noqa: F401  (configures the recorder before requests is used)
import requests
from aws_xray_sdk.core import xray_recorder
from aws_xray_sdk.ext.flask.middleware import XRayMiddleware
from flask import Flask, abort, jsonify, request
from werkzeug.exceptions import HTTPException

from catalog.inventory import InventoryClient
from catalog.repository import ProductRepository
from pricing import util as pricing_util
from shipping import util as shipping_util

app = Flask(__name__)
XRayMiddleware(app, xray_recorder)

repo = ProductRepository()
inventory = InventoryClient()


class ReviewsUnavailable(RuntimeError):
    pass


def make_loader(repository, stock):
    """Returns a loader bound to the given backends (tests pass fakes)."""
    def load(product_id):
        with xray_recorder.in_subsegment('product.load') as subsegment:
            subsegment.put_annotation('product_id', product_id)
            product = repository.get(product_id)
            if product is None:
                return None
            product['in_stock'] = stock.stock_level(product['id'])
            return product
    return load


load_product = make_loader(repo, inventory)


def build_facets(products, fields=('brand', 'category')):
    @xray_recorder.capture('facets.count')
    def count(field):
        counts = {}
        for product in products:
            counts[product[field]] = counts.get(product[field], 0) + 1
        time.sleep(0.001)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    return {field: count(field) for field in fields}


@app.route('/health')
def health():
    return jsonify(status='ok')


@app.route('/products/<product_id>')
def get_product(product_id):
    product = load_product(product_id)
    if product is None:
        abort(404, description=f'product {product_id} not found')
    country = request.args.get('country', 'DE')
    with xray_recorder.in_subsegment('price.quote'):
        quote = pricing_util.quote_price(product, int(request.args.get('qty', 1)), country)
    product['price_quote'] = quote
    product['shipping'] = shipping_util.estimate(country, weight_kg=0.8)
    return jsonify(product)


@app.get('/search')
def search():
    terms = [t for t in request.args.get('q', '').lower().split() if t]
    if not terms:
        return jsonify(error='q is required'), 400

    with xray_recorder.in_subsegment('search.query') as subsegment:
        subsegment.put_metadata('terms', terms)
        hits = repo.search(terms)
        with xray_recorder.in_subsegment('search.rank'):
            relevance = xray_recorder.capture('rank.score')(
                lambda p: p['rating'] * sum(p['name'].lower().count(t) * 3 + p['description'].lower().count(t) for t in terms))
            hits.sort(key=relevance, reverse=True)
            time.sleep(0.001)

    return jsonify(query=terms, count=len(hits), results=[h['id'] for h in hits], facets=build_facets(hits))


@app.route('/products/<product_id>/reviews')
def product_reviews(product_id):
    subsegment = xray_recorder.begin_subsegment('reviews.fetch')
    try:
        subsegment.put_annotation('product_id', product_id)
        time.sleep(0.006)
        # The reviews vendor has been timing out for weeks; surface it as a 5xx.
        raise ReviewsUnavailable('reviews backend timed out after 5ms')
    except Exception as exc:
        subsegment.add_exception(exc, traceback.extract_stack())
        raise
    finally:
        xray_recorder.end_subsegment()


@app.route('/shipping/<country>')
def shipping_quote(country):
    try:
        return jsonify(shipping_util.estimate(country.upper()))
    except LookupError as exc:
        return jsonify(error=str(exc)), 422


@app.route('/status')
def status():
    port = int(os.environ.get('PORT', 5000))
    upstream = requests.get(f'http://127.0.0.1:{port}/health', timeout=2)
    return jsonify(api=upstream.json(), upstream_status=upstream.status_code)


@app.errorhandler(HTTPException)
def handle_http_error(err):
    return jsonify(error=err.description), err.code


@app.errorhandler(Exception)
def handle_unexpected(err):
    app.logger.exception('unhandled error')
    return jsonify(error=str(err)), 500


if __name__ == '__main__':
    app.run(host='127.0.0.1', port=int(os.environ.get('PORT', 5000)), threaded=True)
