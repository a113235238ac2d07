// Preloaded with `node --require` before Learning Locker's statement service
// (npm xapi-statements), whose server calls `app.listen(port)` with no host and so listens on
// every interface. This makes every server in the process listen on 127.0.0.1 only, so the
// test LRS is never reachable from another machine.
"use strict";

const net = require("net");

const HOST = process.env.BIND_HOST || "127.0.0.1";
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function bindLocalhost(...args) {
  const [first, second] = args;
  if (first !== null && typeof first === "object" && !Array.isArray(first)) {
    // listen({port, host?, ...}, callback?)
    args[0] = { ...first, host: HOST };
  } else if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    // listen(port, [host], [backlog], [callback]): replace or insert the host.
    if (typeof second === "string") {
      args[1] = HOST;
    } else {
      args.splice(1, 0, HOST);
    }
  }
  return listen.apply(this, args);
};
