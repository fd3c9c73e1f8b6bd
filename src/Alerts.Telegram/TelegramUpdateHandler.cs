using System.Globalization;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace Alerts.Telegram;

/// <summary>
/// Handles one update, whichever way it arrived (polling or webhook): bot commands (SPEC §5), group migrations, and
/// the bot being removed from a chat. Never throws for a single bad update: errors are logged and the user told.
/// </summary>
internal sealed partial class TelegramUpdateHandler(
    ITelegramBotClient bot,
    ISubscriptionCommands commands,
    ISubscriptionStore store,
    TelegramBotIdentity identity,
    ChatAdminCache admins,
    IOptions<TelegramOptions> options,
    ILogger<TelegramUpdateHandler> logger,
    TelegramOutbound? outbound = null)
{
    // Replies go through the process's shared limiter; a handler built by hand (tests) gets one of its own.
    private readonly TelegramOutbound _outbound = outbound ?? TelegramOutbound.Unshared(bot, options);

    /// <summary>The command menu registered with setMyCommands.</summary>
    public static readonly IReadOnlyList<BotCommand> Menu =
    [
        new() { Command = "subscribe", Description = "Alerts abonnieren / subscribe: /subscribe Drohne*" },
        new() { Command = "list", Description = "Abos anzeigen / list subscriptions" },
        new() { Command = "unsubscribe", Description = "Abo löschen / unsubscribe: /unsubscribe 2" },
        new() { Command = "preview", Description = "Testen ohne Speichern / try a query" },
        new() { Command = "pause", Description = "Alerts pausieren / pause alerts" },
        new() { Command = "resume", Description = "Alerts fortsetzen / resume alerts" },
        new() { Command = "sources", Description = "Quellen / sources" },
        new() { Command = "help", Description = "Hilfe und Beispiele / help and examples" },
    ];

    private const string CommandOverview =
        "\n\nBefehle / commands:\n"
        + "/subscribe <query> (/sub) – abonnieren / subscribe\n"
        + "/list – Abos anzeigen / list\n"
        + "/unsubscribe <Nummer|query> (/unsub) – löschen / remove\n"
        + "/preview <query> – testen ohne Speichern / try without saving\n"
        + "/pause, /resume – Alerts anhalten, fortsetzen / pause, resume\n"
        + "/sources – Quellen / sources";

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
        var isGroup = message.Chat.Type is ChatType.Group or ChatType.Supergroup;
        var command = TelegramCommand.Parse(text);
        if (command is null)
        {
            // In groups people talk to each other; only a private chat gets a hint.
            if (!isGroup)
            {
                await ReplyAsync(message, CommandReply.Error("Ich verstehe nur Befehle. / I only understand commands: /help"), cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (command.Addressee is not null && !command.IsFor(await identity.GetUsernameAsync(cancellationToken).ConfigureAwait(false)))
        {
            return;
        }

        if (!IsKnown(command.Name))
        {
            if (!isGroup || command.Addressee is not null)
            {
                await ReplyAsync(message, CommandReply.Error($"Unbekannter Befehl / unknown command: /{command.Name}. /help"), cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var subscriber = await EnsureSubscriberAsync(message.Chat.Id, isGroup, cancellationToken).ConfigureAwait(false);
        if (isGroup && ChangesSubscriptions(command.Name) && !await MayChangeAsync(message, cancellationToken).ConfigureAwait(false))
        {
            await ReplyAsync(message, CommandReply.Error("In Gruppen dürfen nur Admins Abos ändern. / In groups, only chat administrators can change subscriptions."), cancellationToken).ConfigureAwait(false);
            return;
        }

        var reply = await RunAsync(command, subscriber, cancellationToken).ConfigureAwait(false);
        await ReplyAsync(message, reply, cancellationToken).ConfigureAwait(false);
    }

    private async Task<CommandReply> RunAsync(TelegramCommand command, Subscriber subscriber, CancellationToken ct) => command switch
    {
        { Name: "start" } => Prefix("Willkommen! Ich schicke dir Alerts zu Liveticker-Einträgen, die zu deinen Suchbegriffen passen. / Welcome! I send you alerts for live ticker entries that match your queries.\n\n", commands.Help("/subscribe")),
        { Name: "help" } => Prefix("", commands.Help("/subscribe")),
        { Name: "subscribe" or "sub", Arguments: "" } => Usage("/subscribe <query>", "/subscribe Drohne*"),
        { Name: "subscribe" or "sub", Arguments: var query } => await commands.SubscribeAsync(subscriber, query, null, ct).ConfigureAwait(false),
        { Name: "unsubscribe" or "unsub", Arguments: "" } => Usage("/unsubscribe <Nummer/number|query>", "/unsubscribe 2"),
        { Name: "unsubscribe" or "unsub", Arguments: var what } => await commands.UnsubscribeAsync(subscriber, what, ct).ConfigureAwait(false),
        { Name: "list" } => await commands.ListAsync(subscriber, ct).ConfigureAwait(false),
        { Name: "preview", Arguments: "" } => Usage("/preview <query>", "/preview Selenskyj"),
        { Name: "preview", Arguments: var query } => await commands.PreviewAsync(subscriber, query, null, ct).ConfigureAwait(false),
        { Name: "pause" } => await commands.PauseAsync(subscriber, ct).ConfigureAwait(false),
        { Name: "resume" } => await commands.ResumeAsync(subscriber, ct).ConfigureAwait(false),
        { Name: "sources" } => commands.Sources(),
        _ => CommandReply.Error($"/{command.Name}?"),
    };

    private static bool IsKnown(string name) => name is "start" or "help" or "subscribe" or "sub" or "unsubscribe" or "unsub"
        or "list" or "preview" or "pause" or "resume" or "sources";

    private static bool ChangesSubscriptions(string name) => name is "subscribe" or "sub" or "unsubscribe" or "unsub" or "pause" or "resume";

    private static CommandReply Usage(string syntax, string example) =>
        CommandReply.Error($"Bitte mit Suchbegriff / please add a query: {syntax}\nBeispiel / example: {example}");

    private static CommandReply Prefix(string intro, CommandReply help) =>
        help with { Text = intro + help.Text.TrimEnd() + CommandOverview };

    private async Task<bool> MayChangeAsync(Message message, CancellationToken cancellationToken)
    {
        // An anonymous admin writes as the group itself.
        if (message.SenderChat?.Id == message.Chat.Id)
        {
            return true;
        }

        if (message.From is null)
        {
            return false;
        }

        try
        {
            return await admins.IsAdminAsync(message.Chat.Id, message.From.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogAdminCheckFailed(logger, message.Chat.Id, TelegramErrors.Redact(e.Message, options.Value.BotToken));
            return false;
        }
    }

    private async Task<Subscriber> EnsureSubscriberAsync(long chatId, bool isGroup, CancellationToken cancellationToken)
    {
        var wanted = new Subscriber(SubscriberId(chatId), Platforms.Telegram, chatId.ToString(CultureInfo.InvariantCulture), IsGroup: isGroup);
        var stored = await store.EnsureSubscriberAsync(wanted, cancellationToken).ConfigureAwait(false);
        if (!stored.Active)
        {
            // Someone who blocked the bot (or removed it) and now writes again wants alerts again.
            await store.ReactivateAsync(stored.Id, cancellationToken).ConfigureAwait(false);
            stored = stored with { Active = true, DeactivatedReason = null };
        }

        return stored;
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

    private async Task ReplyAsync(Message to, CommandReply reply, CancellationToken cancellationToken)
    {
        var isGroup = to.Chat.Type is ChatType.Group or ChatType.Supergroup;
        foreach (var html in TelegramReplies.Render(reply))
        {
            // Within the limits, retried after a 429; a part that cannot be delivered ends the reply (logged by the sender).
            if (await _outbound.SendAsync(to.Chat.Id, isGroup, html, to.IsTopicMessage ? to.MessageThreadId : null, cancellationToken: cancellationToken).ConfigureAwait(false) is null)
            {
                return;
            }
        }
    }

    internal static string SubscriberId(long chatId) => Subscriber.MakeId(Platforms.Telegram, chatId.ToString(CultureInfo.InvariantCulture));

    [LoggerMessage(Level = LogLevel.Error, Message = "Telegram update {UpdateId} failed: {Error}")]
    private static partial void LogUpdateFailed(ILogger logger, int updateId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check admin rights in chat {ChatId}: {Error}")]
    private static partial void LogAdminCheckFailed(ILogger logger, long chatId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telegram group {OldId} became supergroup {NewId}; subscriptions moved")]
    private static partial void LogMigrated(ILogger logger, string oldId, string newId);
}
