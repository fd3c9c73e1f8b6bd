// Starts the telegram-test-api Bot API emulator on 127.0.0.1 for the .NET end-to-end tests.
//
//   node tests/tools/telegram-emulator.mjs [--port N] [--control-port N] [--delay-ms N]
//
// --delay-ms N: every Bot API call of the bot is answered N ms late, as Telegram's own round trip of 100-250 ms.
//
// Prints one JSON line on stdout once both servers listen:
//   {"apiUrl":"http://127.0.0.1:P","controlUrl":"http://127.0.0.1:C"}
// and exits when stdin closes, so the emulator never outlives the test process that started it.
//
// Control API (JSON over HTTP, for the simulated users):
//   POST /send          {"token","chatId","userId"?,"text","type"?,"title"?,"languageCode"?}  a user writes to the bot
//                       (texts starting with "/" are sent as commands, with a bot_command entity)
//   POST /callback      {"token","chatId","userId"?,"messageId","data","type"?,"languageCode"?}  a user presses a
//                       button under the bot's message messageId (the callback query carries that message as it is now)
//   GET  /bot-messages?token=T&chatId=C   everything the bot sent to that chat, oldest first:
//                       [{"messageId","chatId","text","parseMode","date","linkPreviewDisabled","disableNotification",
//                         "replyToMessageId","buttons":[[{"text","data"}]],"edits":["earlier text", ...]}]
//   GET  /callback-answers?token=T        every answerCallbackQuery: [{"callbackQueryId","text","showAlert"}]
//   GET  /commands?token=T                every setMyCommands: [{"scope","languageCode","commands":[{"command","description"}]}]
//   GET  /health        {"ok":true}
//
// telegram-test-api answers editMessageText/editMessageReplyMarkup with a null result and answerCallbackQuery with
// null (the Bot API returns the edited Message and true), and does not know setMyCommands; those four are answered
// here as the Bot API does, in front of the package's own routes.
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

// Bot API methods answered as Telegram does (see the header), put in front of the package's routes.
const callbackAnswers = [];
const commandMenus = [];
const app = server.webServer;
const before = app._router.stack.length;

const delayMs = arg('--delay-ms');
if (delayMs > 0) {
  app.use('/bot:token/:method', (req, res, next) => { setTimeout(next, delayMs); });
}

function stored(body) {
  return server.storage.botMessages.find((m) => String(m.messageId) === String(body.message_id)
    && String(m.message.chat_id) === String(body.chat_id));
}

function asMessage(entry) {
  const m = entry.message;
  return {
    ...m, message_id: entry.messageId, date: Math.floor(entry.time / 1000), text: m.text,
    chat: { id: Number(m.chat_id), first_name: 'Bot', type: 'private' },
    reply_markup: m.reply_markup && 'inline_keyboard' in m.reply_markup ? m.reply_markup : undefined,
  };
}

function parseMarkup(body) {
  if (typeof body.reply_markup === 'string') body.reply_markup = JSON.parse(body.reply_markup);
  return body;
}

app.all('/bot:token/editMessageText', (req, res) => {
  const body = parseMarkup(req.body);
  const entry = stored(body);
  if (!entry) return res.status(400).json({ ok: false, error_code: 400, description: 'Bad Request: message to edit not found' });
  entry.edits = [...(entry.edits ?? []), entry.message.text];
  entry.message = { ...entry.message, text: body.text, parse_mode: body.parse_mode, reply_markup: body.reply_markup };
  return res.json({ ok: true, result: asMessage(entry) });
});
app.all('/bot:token/editMessageReplyMarkup', (req, res) => {
  const body = parseMarkup(req.body);
  const entry = stored(body);
  if (!entry) return res.status(400).json({ ok: false, error_code: 400, description: 'Bad Request: message to edit not found' });
  entry.message = { ...entry.message, reply_markup: body.reply_markup };
  return res.json({ ok: true, result: asMessage(entry) });
});
app.all('/bot:token/answerCallbackQuery', (req, res) => {
  callbackAnswers.push({
    token: req.params.token, callbackQueryId: String(req.body.callback_query_id), text: req.body.text ?? null, showAlert: req.body.show_alert === true || req.body.show_alert === 'true',
  });
  return res.json({ ok: true, result: true });
});
app.all('/bot:token/setMyCommands', (req, res) => {
  const commands = typeof req.body.commands === 'string' ? JSON.parse(req.body.commands) : req.body.commands;
  const scope = typeof req.body.scope === 'string' ? JSON.parse(req.body.scope) : req.body.scope;
  commandMenus.push({ token: req.params.token, scope: scope?.type ?? 'default', languageCode: req.body.language_code ?? null, commands });
  return res.json({ ok: true, result: true });
});
const ours = app._router.stack.splice(before);
const firstRoute = app._router.stack.findIndex((layer) => layer.route);
app._router.stack.splice(firstRoute, 0, ...ours);

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
      const { token, chatId, userId, text, type, title, languageCode } = await readJson(req);
      if (!token || chatId === undefined || typeof text !== 'string') {
        return reply(res, 400, { ok: false, error: 'token, chatId and text are required' });
      }
      const client = server.getClient(token, {
        chatId: Number(chatId), userId: Number(userId ?? chatId), type: type ?? 'private', chatTitle: title,
      });
      const extra = languageCode ? { from: { language_code: languageCode } } : {};
      if (text.startsWith('/')) {
        await server.addUserCommand(client.makeCommand(text, extra));
      } else {
        await server.addUserMessage(client.makeMessage(text, extra));
      }
      return reply(res, 200, { ok: true });
    }
    if (req.method === 'POST' && url.pathname === '/callback') {
      const { token, chatId, userId, messageId, data, type, languageCode } = await readJson(req);
      const entry = server.storage.botMessages.find((m) => m.botToken === token
        && String(m.message.chat_id) === String(chatId) && String(m.messageId) === String(messageId));
      if (!entry) {
        return reply(res, 404, { ok: false, error: `no bot message ${messageId} in chat ${chatId}` });
      }
      const client = server.getClient(token, { chatId: Number(chatId), userId: Number(userId ?? chatId), type: type ?? 'private' });
      const message = { ...asMessage(entry), chat: { id: Number(chatId), type: type ?? 'private' } };
      const query = client.makeCallbackQuery(data, { message, ...(languageCode ? { from: { language_code: languageCode } } : {}) });
      query.message = message; // deep-extend would merge the user's chat into the bot's message
      await server.addUserCallback(query);
      return reply(res, 200, { ok: true });
    }
    if (req.method === 'GET' && url.pathname === '/callback-answers') {
      const token = url.searchParams.get('token');
      return reply(res, 200, callbackAnswers.filter((a) => a.token === token).map(({ token: _, ...a }) => a));
    }
    if (req.method === 'GET' && url.pathname === '/commands') {
      const token = url.searchParams.get('token');
      return reply(res, 200, commandMenus.filter((m) => m.token === token).map(({ token: _, ...m }) => m));
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
          disableNotification: m.message.disable_notification === true || m.message.disable_notification === 'true',
          replyToMessageId: m.message.reply_parameters?.message_id ?? null,
          buttons: (m.message.reply_markup?.inline_keyboard ?? []).map((row) => row.map((b) => ({ text: b.text, data: b.callback_data ?? null }))),
          edits: m.edits ?? [],
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
