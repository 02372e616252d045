// Probot as scripts/bench-ingress runs it beside sprintbot: the same
// webhook secret and path, a handler for the benchmark's event that does
// nothing, no calls to GitHub (the App id and key only satisfy Probot's
// start-up). Usage: node server.js PORT (GITHUB_WEBHOOK_SECRET set).
const crypto = require("node:crypto");
const { Probot, Server } = require("probot");

const port = Number(process.argv[2] || 3002);
const { privateKey } = crypto.generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const server = new Server({
  port,
  host: "127.0.0.1",
  webhookPath: "/webhook",
  Probot: Probot.defaults({
    appId: 1,
    privateKey,
    secret: process.env.GITHUB_WEBHOOK_SECRET,
    logLevel: "warn",
  }),
});
server
  .load((app) => {
    app.on("issue_comment.created", async () => {});
  })
  .then(() => server.start());
