// mqttws — the browser transport's JavaScript half, linked with --js-library.
//
// A WebSocket is made from a constructor the C++ side hands over (the host's global WebSocket
// in browsers, the `ws` package or a global WebSocket in Node), with subprotocol "mqtt" and
// binaryType "arraybuffer". Its events call back into the C++ browser_socket whose address
// was given at open. Received bytes are copied into wasm memory with one TypedArray.set();
// sent bytes leave it with one slice(). Closing detaches the handlers first, so a closed
// socket never calls back into a C++ object that may already be gone.
mergeInto(LibraryManager.library, {
  $mqttwsSockets: {next: 1, open: {}},

  mqttws_socket_open__deps: ['$mqttwsSockets', '$Emval', 'malloc', 'free',
                             'mqttws_socket_on_open', 'mqttws_socket_on_data',
                             'mqttws_socket_on_close'],
  mqttws_socket_open: function(ctorHandle, urlPtr, self) {
    var WebSocketCtor = Emval.toValue(ctorHandle);
    var ws;
    try {
      ws = new WebSocketCtor(UTF8ToString(urlPtr), 'mqtt');
    } catch (e) {
      return 0;  // invalid URL: the constructor throws
    }
    ws.binaryType = 'arraybuffer';
    var opened = false;
    ws.onopen = function() {
      opened = true;
      _mqttws_socket_on_open(self);
    };
    ws.onmessage = function(event) {
      var data = event.data;
      if (typeof data === 'string') data = new TextEncoder().encode(data);  // not MQTT: decoder rejects
      var bytes = new Uint8Array(data);
      var n = bytes.length;
      if (!n) return;
      var p = _malloc(n);
      HEAPU8.set(bytes, p);
      _mqttws_socket_on_data(self, p, n);
      _free(p);
    };
    ws.onerror = function() {};  // a close event always follows
    ws.onclose = function(event) {
      delete mqttwsSockets.open[id];
      _mqttws_socket_on_close(self, opened ? 1 : 0, event.code);
    };
    var id = mqttwsSockets.next++;
    mqttwsSockets.open[id] = ws;
    return id;
  },

  mqttws_socket_send__deps: ['$mqttwsSockets'],
  mqttws_socket_send: function(id, ptr, len) {
    var ws = mqttwsSockets.open[id];
    if (ws && ws.readyState === 1) ws.send(HEAPU8.slice(ptr, ptr + len));
  },

  mqttws_socket_close__deps: ['$mqttwsSockets'],
  mqttws_socket_close: function(id) {
    var ws = mqttwsSockets.open[id];
    if (!ws) return;
    delete mqttwsSockets.open[id];
    // Handlers stay installed as no-ops: Node's `ws` throws on an 'error' nobody listens to.
    var ignore = function() {};
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = ignore;
    try {
      ws.close(1000);
    } catch (e) {
      // already closing
    }
  },
});
