'use strict';

const { setTimeout: sleep } = require('node:timers/promises');
const AWSXRay = require('../lib/xray');

const REGIONS = ['eu-central', 'eu-west', 'us-east'];

module.exports = function registerReportRoutes(app) {
  app.get('/reports/daily', function (req, res, next) {
    AWSXRay.captureAsyncFunc('reports.aggregate', async (subsegment) => {
      try {
        const totals = {};
        for (const region of REGIONS) {
          await sleep(2); // one warehouse query per region
          totals[region] = Math.round(1000 + Math.random() * 500);
        }
        subsegment.close();
        res.json({ day: new Date().toISOString().slice(0, 10), totals });
      } catch (err) {
        subsegment.close(err);
        next(err);
      }
    });
  });

  app.post('/reports/rebuild', function (req, res, next) {
    AWSXRay.captureAsyncFunc('reports.rebuild', async (subsegment) => {
      await sleep(5);
      // The warehouse holds a lock during the nightly load; rebuilds fail until it is released.
      const err = new Error('warehouse lock held by nightly-load, try again later');
      subsegment.close(err);
      next(err);
    });
  });
};
