module.exports = require("./example-untouched.cjs").teardown;
