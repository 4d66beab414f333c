import { compute } from './compute.js';

try {
  document.body.dataset.result = JSON.stringify(compute());
} catch (e) {
  document.body.dataset.error = String(e && e.stack || e);
}
