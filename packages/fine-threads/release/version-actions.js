// Nx release resolves "fine-threads/release/version-actions" to this file.
module.exports = require('../dist/release/version-actions.js');
