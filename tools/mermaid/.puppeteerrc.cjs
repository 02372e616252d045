// Never download a browser: the validator drives the system's chromium
// (Debian: apt-get install -y chromium), named by PUPPETEER_EXECUTABLE_PATH
// or found at /usr/bin/chromium.
module.exports = { skipDownload: true };
