// Starts the telegram-test-api Bot API emulator on 127.0.0.1 for the .NET end-to-end tests.
//
//   node tests/tools/telegram-emulator.mjs [--port N] [--control-port N]
//
// Prints one JSON line on stdout once both servers listen:
//   {"apiUrl":"http://127.0.0.1:P","controlUrl":"http://127.0.0.1:C"}
// and exits when stdin closes, so the emulator never outlives the test process that started it.
//
// Control API (JSON over HTTP, for the simulated users):
//   POST /send          {"token","chatId","userId"?,"text","type"?,"title"?}  a user writes to the bot
//                       (texts starting with "/" are sent as commands, with a bot_command entity)
//   GET  /bot-messages?token=T&chatId=C   everything the bot sent to that chat, oldest first:
//                       [{"messageId","chatId","text","parseMode","date","linkPreviewDisabled"}]
//   GET  /health        {"ok":true}
import http from 'node:http';
import net from 'node:net';
import TelegramServer from 'telegram-test-api';


function arg(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : 0;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const port = arg('--port') || await freePort();
// storeTimeout is in seconds: keep messages for the whole test run.
const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 3600 });

// The emulator stamps the bot's messages with Date.now() (milliseconds), while the Bot API and Telegram.Bot use
// Unix seconds; a millisecond value is far beyond DateTime's range and breaks deserialization of sendMessage results.
const addBotMessage = server.addBotMessage.bind(server);
server.addBotMessage = (rawMessage, botToken) => {
  const message = addBotMessage(rawMessage, botToken);
  return { ...message, date: Math.floor(message.date / 1000) };
};

await server.start();

function readJson(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      try { resolve(body ? JSON.parse(body) : {}); } catch (e) { reject(e); }
    });
    req.on('error', reject);
  });
}

function reply(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

const control = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/health') {
      return reply(res, 200, { ok: true });
    }
    if (req.method === 'POST' && url.pathname === '/send') {
      const { token, chatId, userId, text, type, title } = await readJson(req);
      if (!token || chatId === undefined || typeof text !== 'string') {
        return reply(res, 400, { ok: false, error: 'token, chatId and text are required' });
      }
      const client = server.getClient(token, {
        chatId: Number(chatId), userId: Number(userId ?? chatId), type: type ?? 'private', chatTitle: title,
      });
      if (text.startsWith('/')) {
        await server.addUserCommand(client.makeCommand(text));
      } else {
        await server.addUserMessage(client.makeMessage(text));
      }
      return reply(res, 200, { ok: true });
    }
    if (req.method === 'GET' && url.pathname === '/bot-messages') {
      const token = url.searchParams.get('token');
      const chatId = url.searchParams.get('chatId');
      const messages = server.storage.botMessages
        .filter((m) => m.botToken === token && String(m.message.chat_id) === String(chatId))
        .map((m) => ({
          messageId: m.messageId,
          chatId: Number(m.message.chat_id),
          text: m.message.text,
          parseMode: m.message.parse_mode ?? null,
          linkPreviewDisabled: m.message.link_preview_options?.is_disabled ?? false,
          date: Math.floor(m.time / 1000),
        }));
      return reply(res, 200, messages);
    }
    return reply(res, 404, { ok: false, error: 'not found' });
  } catch (e) {
    return reply(res, 500, { ok: false, error: String(e) });
  }
});

const controlPort = arg('--control-port') || await freePort();
await new Promise((resolve, reject) => control.listen(controlPort, '127.0.0.1', resolve).once('error', reject));

process.stdout.write(`${JSON.stringify({ apiUrl: `http://127.0.0.1:${port}`, controlUrl: `http://127.0.0.1:${controlPort}` })}\n`);

async function shutdown() {
  control.close();
  await server.stop();
  process.exit(0);
}

process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
