module.exports = require("./example-untouched.cjs").setup;
