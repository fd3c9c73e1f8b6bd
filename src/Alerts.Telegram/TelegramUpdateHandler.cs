using System.Globalization;
using System.Text;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;
using ChatAction = Alerts.Core.Subscriptions.ChatAction;

namespace Alerts.Telegram;

/// <summary>
/// Handles one update, whichever way it arrived (polling or webhook): bot commands and plain words (SPEC §5), button
/// presses, group migrations, and the bot being removed from a chat. Replies are in the chat's language (chosen with
/// <c>/language</c>, else the writer's client language). Never throws for a single bad update: errors are logged and
/// the user told.
/// </summary>
internal sealed partial class TelegramUpdateHandler(
    ITelegramBotClient bot,
    ISubscriptionCommands commands,
    ISubscriptionStore store,
    TelegramBotIdentity identity,
    ChatAdminCache admins,
    IOptions<TelegramOptions> options,
    ILogger<TelegramUpdateHandler> logger,
    TelegramOutbound? outbound = null,
    TelegramTopics? topics = null)
{
    // Replies go through the process's shared limiter; a handler built by hand (tests) gets one of its own.
    private readonly TelegramOutbound outbound = outbound ?? TelegramOutbound.Unshared(bot, options);

    private enum Permission
    {
        Allowed,
        Refused,
        CheckFailed,
    }

    public async Task HandleAsync(Update update, CancellationToken cancellationToken)
    {
        try
        {
            switch (update)
            {
                case { Message: { MigrateToChatId: { } newChatId, Chat: var oldChat } }:
                    await MigrateAsync(oldChat.Id, newChatId, cancellationToken).ConfigureAwait(false);
                    break;
                case { Message: { Text: { } text, Chat.Type: not ChatType.Channel } message }:
                    await OnTextAsync(message, text, cancellationToken).ConfigureAwait(false);
                    break;
                case { CallbackQuery: { Data: { } data, Message: { } pressedOn } callback }:
                    await OnButtonAsync(callback, pressedOn, data, cancellationToken).ConfigureAwait(false);
                    break;
                case { MyChatMember: { NewChatMember.Status: ChatMemberStatus.Kicked or ChatMemberStatus.Left, Chat: var chat } }:
                    await store.DeactivateAsync(SubscriberId(chat.Id), "bot removed from the chat", cancellationToken).ConfigureAwait(false);
                    break;
                case { MyChatMember: { NewChatMember.Status: ChatMemberStatus.Member or ChatMemberStatus.Administrator, Chat: var chat } }:
                    // Unblocked, or added back to a group: earlier subscriptions count again.
                    if (await store.GetSubscriberAsync(SubscriberId(chat.Id), cancellationToken).ConfigureAwait(false) is { Active: false } returning)
                    {
                        await store.ReactivateAsync(returning.Id, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                default:
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            LogUpdateFailed(logger, update.Id, TelegramErrors.Redact(e.ToString(), options.Value.BotToken));
        }
    }

    private async Task OnTextAsync(Message message, string text, CancellationToken cancellationToken)
    {
        var isGroup = IsGroup(message.Chat);
        var command = TelegramCommand.Parse(text);
        if (command is null)
        {
            // In groups people talk to each other; in a private chat plain words are an offer to subscribe to them.
            if (!isGroup)
            {
                var subscriber = await EnsureSubscriberAsync(message.Chat, message.From, cancellationToken).ConfigureAwait(false);
                await ReplyAsync(message, await commands.OfferAsync(subscriber, text, shared: false, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (command.Addressee is not null && !command.IsFor(await identity.GetUsernameAsync(cancellationToken).ConfigureAwait(false)))
        {
            return;
        }

        var info = TelegramCommands.Find(command.Name);
        if (info is null)
        {
            if (!isGroup || command.Addressee is not null)
            {
                var texts = ChatTexts.For(await PeekLanguageAsync(message.Chat, message.From, cancellationToken).ConfigureAwait(false));
                await ReplyAsync(message, CommandReply.Error(texts.UnknownCommand("/" + command.Name)), cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var chatSubscriber = await EnsureSubscriberAsync(message.Chat, message.From, cancellationToken).ConfigureAwait(false);
        var t = ChatTexts.For(chatSubscriber);
        if (isGroup && info.Changes)
        {
            switch (await MayChangeAsync(message.Chat.Id, message.From, message.SenderChat, cancellationToken).ConfigureAwait(false))
            {
                case Permission.Refused:
                    await ReplyAsync(message, CommandReply.Error(t.AdminsOnly), cancellationToken).ConfigureAwait(false);
                    return;
                case Permission.CheckFailed:
                    await ReplyAsync(message, CommandReply.Error(t.AdminCheckFailed), cancellationToken).ConfigureAwait(false);
                    return;
            }
        }

        // A subscription made inside a forum topic sends its alerts to that topic.
        var topic = message.IsTopicMessage ? message.MessageThreadId : null;
        var before = topic is not null && topics is not null && info.Kind is TelegramCommandKind.Subscribe
            ? await topics.SnapshotAsync(chatSubscriber.Id, cancellationToken).ConfigureAwait(false)
            : null;
        var reply = await RunAsync(info, command.Arguments, chatSubscriber, t, cancellationToken).ConfigureAwait(false);
        if (before is not null)
        {
            await topics!.RememberNewAsync(chatSubscriber.Id, before, topic!.Value, cancellationToken).ConfigureAwait(false);
        }

        await ReplyAsync(message, reply, cancellationToken).ConfigureAwait(false);
    }

    private async Task<CommandReply> RunAsync(TelegramCommandInfo info, string args, Subscriber subscriber, ChatTexts t, CancellationToken ct)
    {
        if (info.Usage is not null && args.Length == 0 && info.Kind is not (TelegramCommandKind.Mute or TelegramCommandKind.Quiet))
        {
            return CommandReply.Error(t.Usage($"/{info.NameFor(t.Language)} {info.Usage}", $"/{info.NameFor(t.Language)} {info.Example}"));
        }

        return info.Kind switch
        {
            TelegramCommandKind.Start when args.Length > 0 => await StartWithPayloadAsync(subscriber, args, t, ct).ConfigureAwait(false),
            TelegramCommandKind.Start => commands.Start(subscriber),
            TelegramCommandKind.Help => Help(subscriber, t),
            TelegramCommandKind.Subscribe => await commands.SubscribeAsync(subscriber, args, null, ct).ConfigureAwait(false),
            TelegramCommandKind.Unsubscribe => await commands.UnsubscribeAsync(subscriber, args, ct).ConfigureAwait(false),
            TelegramCommandKind.List => await commands.ListAsync(subscriber, ct).ConfigureAwait(false),
            TelegramCommandKind.Preview => await commands.PreviewAsync(subscriber, args, null, ct).ConfigureAwait(false),
            TelegramCommandKind.Pause => await commands.PauseAsync(subscriber, ct).ConfigureAwait(false),
            TelegramCommandKind.Resume => await commands.ResumeAsync(subscriber, ct).ConfigureAwait(false),
            TelegramCommandKind.Sources => commands.Sources(subscriber),
            TelegramCommandKind.Stop => await commands.StopAsync(subscriber, ct).ConfigureAwait(false),
            TelegramCommandKind.Mute => await commands.MuteAsync(subscriber, args, ct).ConfigureAwait(false),
            TelegramCommandKind.Quiet => await commands.QuietAsync(subscriber, args, ct).ConfigureAwait(false),
            TelegramCommandKind.TimeZone => await commands.SetTimeZoneAsync(subscriber, args, ct).ConfigureAwait(false),
            TelegramCommandKind.Language => await commands.SetLanguageAsync(subscriber, args, ct).ConfigureAwait(false),
            TelegramCommandKind.Format => await commands.SetFormatAsync(subscriber, args, ct).ConfigureAwait(false),
            _ => CommandReply.Error(t.UnknownCommand("/" + info.Name)),
        };
    }

    /// <summary><c>/help</c>: the query language, then the command overview from the command table, in the chat's language.</summary>
    private CommandReply Help(Subscriber subscriber, ChatTexts t)
    {
        var help = commands.Help(subscriber, "/" + TelegramCommands.Find("subscribe")!.NameFor(t.Language));
        return help with { Text = help.Text.TrimEnd() + "\n\n" + t.CommandOverview(TelegramCommands.Overview(t.Language)) };
    }

    /// <summary>
    /// A deep link <c>t.me/&lt;bot&gt;?start=&lt;payload&gt;</c>: the payload is the shared query in base64url (Telegram allows
    /// only <c>A-Z a-z 0-9 _ -</c> there, 64 characters); see docs/telegram.md.
    /// </summary>
    private async Task<CommandReply> StartWithPayloadAsync(Subscriber subscriber, string payload, ChatTexts t, CancellationToken ct)
    {
        if (DecodePayload(payload) is not { } query)
        {
            return commands.Start(subscriber);
        }

        return await commands.OfferAsync(subscriber, query, shared: true, ct).ConfigureAwait(false);
    }

    /// <summary>The deep-link payload of a query (base64url of its UTF-8, no padding), or null when it is too long for Telegram.</summary>
    public static string? EncodePayload(string query)
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(query)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return encoded.Length <= 64 ? encoded : null;
    }

    internal static string? DecodePayload(string payload)
    {
        if (payload.Length is 0 or > 64 || !payload.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return null;
        }

        var base64 = payload.Replace('-', '+').Replace('_', '/');
        base64 += new string('=', (4 - base64.Length % 4) % 4);
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            return string.IsNullOrWhiteSpace(text) || text.Any(char.IsControl) ? null : text;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private async Task OnButtonAsync(CallbackQuery callback, Message pressedOn, string data, CancellationToken cancellationToken)
    {
        var subscriber = await EnsureSubscriberAsync(pressedOn.Chat, callback.From, cancellationToken).ConfigureAwait(false);
        var t = ChatTexts.For(subscriber);
        if (ChatAction.Decode(data) is not { } action)
        {
            await AnswerAsync(callback, "", cancellationToken).ConfigureAwait(false);
            return;
        }

        // The data comes from the user's client: it is checked here (may this user change this chat?) and in Core
        // (does the subscription belong to this chat?), never taken on trust.
        if (IsGroup(pressedOn.Chat) && action is not ChatAction.Help)
        {
            var permission = await MayChangeAsync(pressedOn.Chat.Id, callback.From, null, cancellationToken).ConfigureAwait(false);
            if (permission != Permission.Allowed)
            {
                await AnswerAsync(callback, permission == Permission.Refused ? t.AdminsOnly : t.AdminCheckFailed, cancellationToken, alert: true).ConfigureAwait(false);
                return;
            }
        }

        var keyboard = pressedOn.ReplyMarkup;
        var numbered = TelegramKeyboards.LabelOf(keyboard, data)?.StartsWith('#') == true;
        var topic = pressedOn.IsTopicMessage ? pressedOn.MessageThreadId : null;
        var before = topic is not null && topics is not null && action is ChatAction.SubscribeOffer or ChatAction.SubscribeExample or ChatAction.Restore
            ? await topics.SnapshotAsync(subscriber.Id, cancellationToken).ConfigureAwait(false)
            : null;
        var outcome = await commands.PressAsync(subscriber, action, numbered, cancellationToken).ConfigureAwait(false);
        if (before is not null)
        {
            await topics!.RememberNewAsync(subscriber.Id, before, topic!.Value, cancellationToken).ConfigureAwait(false);
        }

        await AnswerAsync(callback, outcome.Toast, cancellationToken).ConfigureAwait(false);
        if (outcome.Row is not null)
        {
            await outbound.EditMarkupAsync(pressedOn.Chat.Id, IsGroup(pressedOn.Chat), pressedOn.MessageId, TelegramKeyboards.ReplaceRow(keyboard, data, outcome.Row), cancellationToken).ConfigureAwait(false);
        }

        if (outcome.Reply is { } reply)
        {
            if (action is ChatAction.Help)
            {
                reply = Help(subscriber, t);
            }

            await SendAsync(pressedOn.Chat.Id, IsGroup(pressedOn.Chat), pressedOn.IsTopicMessage ? pressedOn.MessageThreadId : null, null, reply, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A toast is at most 200 characters; a refusal shows as an alert the presser must close.</summary>
    private Task<bool> AnswerAsync(CallbackQuery callback, string toast, CancellationToken cancellationToken, bool alert = false) =>
        outbound.AnswerCallbackAsync(callback, toast.Length == 0 ? null : TelegramAlertRenderer.Shorten(toast, 200), alert, cancellationToken);

    private async Task<Permission> MayChangeAsync(long chatId, User? from, Chat? senderChat, CancellationToken cancellationToken)
    {
        // An anonymous admin writes as the group itself.
        if (senderChat?.Id == chatId)
        {
            return Permission.Allowed;
        }

        if (from is null)
        {
            return Permission.Refused;
        }

        try
        {
            return await admins.IsAdminAsync(chatId, from.Id, cancellationToken).ConfigureAwait(false) ? Permission.Allowed : Permission.Refused;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogAdminCheckFailed(logger, chatId, TelegramErrors.Redact(e.Message, options.Value.BotToken));
            return Permission.CheckFailed;
        }
    }

    /// <summary>
    /// The chat's subscriber, with the writer's client language as <see cref="Subscriber.DetectedLanguage"/> (stored
    /// when it changed, so that alerts follow the language the chat last wrote in).
    /// </summary>
    private async Task<Subscriber> EnsureSubscriberAsync(Chat chat, User? from, CancellationToken cancellationToken)
    {
        var detected = from?.LanguageCode is { } code ? ChatLanguage.FromClient(code) : null;
        var wanted = new Subscriber(SubscriberId(chat.Id), Platforms.Telegram, chat.Id.ToString(CultureInfo.InvariantCulture), IsGroup: IsGroup(chat), DetectedLanguage: detected);
        var stored = await store.EnsureSubscriberAsync(wanted, cancellationToken).ConfigureAwait(false);
        if (!stored.Active)
        {
            // Someone who blocked the bot (or removed it) and now writes again wants alerts again.
            await store.ReactivateAsync(stored.Id, cancellationToken).ConfigureAwait(false);
            stored = stored with { Active = true, DeactivatedReason = null };
        }

        if (detected is not null && stored.DetectedLanguage != detected)
        {
            stored = stored with { DetectedLanguage = detected };
            await store.SaveSettingsAsync(stored, cancellationToken).ConfigureAwait(false);
        }

        return stored;
    }

    /// <summary>The language for a reply that does not create a subscriber (an unknown command).</summary>
    private async Task<string> PeekLanguageAsync(Chat chat, User? from, CancellationToken cancellationToken)
    {
        var stored = await store.GetSubscriberAsync(SubscriberId(chat.Id), cancellationToken).ConfigureAwait(false);
        return stored?.Language ?? (from?.LanguageCode is { } code ? ChatLanguage.FromClient(code) : stored?.EffectiveLanguage ?? ChatLanguage.English);
    }

    private async Task MigrateAsync(long oldChatId, long newChatId, CancellationToken cancellationToken)
    {
        var old = await store.GetSubscriberAsync(SubscriberId(oldChatId), cancellationToken).ConfigureAwait(false);
        if (old is null)
        {
            return;
        }

        var moved = old with { Id = SubscriberId(newChatId), Address = newChatId.ToString(CultureInfo.InvariantCulture), IsGroup = true };
        await store.MigrateSubscriberAsync(old.Id, moved, cancellationToken).ConfigureAwait(false);
        LogMigrated(logger, old.Id, moved.Id);
    }

    /// <summary>Replies in the chat (and topic) of <paramref name="to"/>; in groups the reply quotes the command it answers.</summary>
    private Task ReplyAsync(Message to, CommandReply reply, CancellationToken cancellationToken) =>
        SendAsync(to.Chat.Id, IsGroup(to.Chat), to.IsTopicMessage ? to.MessageThreadId : null, IsGroup(to.Chat) ? to.MessageId : null, reply, cancellationToken);

    private async Task SendAsync(long chatId, bool isGroup, int? threadId, int? quote, CommandReply reply, CancellationToken cancellationToken)
    {
        var parts = TelegramReplies.Render(reply);
        for (var i = 0; i < parts.Count; i++)
        {
            // Within the limits, retried after a 429; a part that cannot be delivered ends the reply (logged by the sender).
            var sent = await outbound.SendAsync(
                chatId,
                isGroup,
                parts[i],
                threadId,
                i == parts.Count - 1 ? TelegramKeyboards.From(reply.Buttons) : null,
                i == 0 && quote is { } id ? new ReplyParameters { MessageId = id, AllowSendingWithoutReply = true } : null,
                cancellationToken).ConfigureAwait(false);
            if (sent is null)
            {
                return;
            }
        }
    }

    private static bool IsGroup(Chat chat) => chat.Type is ChatType.Group or ChatType.Supergroup;

    internal static string SubscriberId(long chatId) => Subscriber.MakeId(Platforms.Telegram, chatId.ToString(CultureInfo.InvariantCulture));

    [LoggerMessage(Level = LogLevel.Error, Message = "Telegram update {UpdateId} failed: {Error}")]
    private static partial void LogUpdateFailed(ILogger logger, int updateId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check admin rights in chat {ChatId}: {Error}")]
    private static partial void LogAdminCheckFailed(ILogger logger, long chatId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telegram group {OldId} became supergroup {NewId}; subscriptions moved")]
    private static partial void LogMigrated(ILogger logger, string oldId, string newId);
}
