using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Discord.Commands;
using Alerts.Discord.Rest;
using Microsoft.Extensions.Logging;

namespace Alerts.Discord.Interactions;

/// <summary>
/// Runs one slash command: decides who the subscriber is (the user for DMs, or the channel with <c>here:true</c>,
/// which needs Manage Channels), calls <see cref="ISubscriptionCommands"/>, and returns the reply (still plain text).
/// </summary>
public sealed partial class DiscordCommandHandler(
    ISubscriptionCommands commands,
    ISubscriptionStore subscriptions,
    ILogger<DiscordCommandHandler> logger)
{
    public const ulong ManageChannels = 1UL << 4;
    public const ulong Administrator = 1UL << 3;

    public async Task<CommandReply> HandleAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        var name = interaction.Data?.Name ?? "";
        var t = ChatTexts.For(LanguageOf(interaction));
        try
        {
            var reader = Reader(interaction);
            switch (name)
            {
                case DiscordCommandCatalog.Sources:
                    return commands.Sources(reader);
                case DiscordCommandCatalog.Help:
                    return commands.Help(reader, DiscordCommandCatalog.SubscribeSyntax);
            }

            var here = GetBool(interaction, "here") == true;
            var mutates = DiscordCommandCatalog.Changing.Contains(name);
            var (subscriber, refusal) = ResolveSubscriber(interaction, here, requirePermission: mutates);
            if (subscriber is null)
            {
                return CommandReply.Error(refusal!);
            }

            // A user whose DMs Discord refused (50007) hears it at the next interaction, and alerts are tried again.
            string? notice = null;
            if (await subscriptions.GetSubscriberAsync(subscriber.Id, cancellationToken).ConfigureAwait(false) is { Active: false } gone
                && IsDmRefused(gone) && name != DiscordCommandCatalog.List)
            {
                notice = t.DmRefusedNotice;
            }

            if (mutates || notice is not null)
            {
                var stored = await subscriptions.EnsureSubscriberAsync(subscriber, cancellationToken).ConfigureAwait(false);
                if (!stored.Active)
                {
                    // Talking to the bot again (or an admin subscribing a channel the bot can post in again) revives it.
                    await subscriptions.ReactivateAsync(stored.Id, cancellationToken).ConfigureAwait(false);
                }

                subscriber = stored with { Active = true, DetectedLanguage = subscriber.DetectedLanguage };
            }
            else if (await subscriptions.GetSubscriberAsync(subscriber.Id, cancellationToken).ConfigureAwait(false) is { } known)
            {
                subscriber = known with { DetectedLanguage = subscriber.DetectedLanguage };
            }

            var reply = name switch
            {
                DiscordCommandCatalog.Subscribe => await commands.SubscribeAsync(subscriber, GetString(interaction, "query") ?? "", GetString(interaction, "source"), cancellationToken).ConfigureAwait(false),
                DiscordCommandCatalog.Unsubscribe => await commands.UnsubscribeAsync(subscriber, GetString(interaction, "which") ?? "", cancellationToken).ConfigureAwait(false),
                DiscordCommandCatalog.List => await commands.ListAsync(subscriber, cancellationToken).ConfigureAwait(false),
                DiscordCommandCatalog.Preview => await commands.PreviewAsync(subscriber, GetString(interaction, "query") ?? "", GetString(interaction, "source"), cancellationToken).ConfigureAwait(false),
                DiscordCommandCatalog.Pause => await commands.PauseAsync(subscriber, cancellationToken).ConfigureAwait(false),
                DiscordCommandCatalog.Resume => await commands.ResumeAsync(subscriber, cancellationToken).ConfigureAwait(false),
                DiscordCommandCatalog.Stop => await commands.StopAsync(subscriber, cancellationToken).ConfigureAwait(false),
                DiscordCommandCatalog.Mute => await commands.MuteAsync(subscriber, GetString(interaction, "for") ?? "", cancellationToken).ConfigureAwait(false),
                DiscordCommandCatalog.Quiet => await commands.QuietAsync(subscriber, GetString(interaction, "hours") ?? "", cancellationToken).ConfigureAwait(false),
                DiscordCommandCatalog.TimeZone => await commands.SetTimeZoneAsync(subscriber, GetString(interaction, "zone") ?? "", cancellationToken).ConfigureAwait(false),
                DiscordCommandCatalog.Language => await commands.SetLanguageAsync(subscriber, GetString(interaction, "language") ?? "", cancellationToken).ConfigureAwait(false),
                DiscordCommandCatalog.Format => await commands.SetFormatAsync(subscriber, GetString(interaction, "format") ?? "", cancellationToken).ConfigureAwait(false),
                _ => CommandReply.Error(t.UnknownCommand("/" + name)),
            };
            return notice is null ? reply : reply with { Text = notice + "\n\n" + reply.Text };
        }
        catch (QuerySyntaxException ex)
        {
            return CommandReply.Error(t.QueryError(t.Reason(ex.Reason), ex.Position + 1));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            LogFailed(ex, name);
            return CommandReply.Error(t.SomethingFailed);
        }
    }

    /// <summary>
    /// A button pressed under an alert or a reply. The payload comes from the client: the subscriber is the one the
    /// message belongs to (the user in a DM, the channel in a server, which needs Manage Channels), and Core checks
    /// that the named subscription is that subscriber's.
    /// </summary>
    public async Task<ButtonOutcome> PressAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        var t = ChatTexts.For(LanguageOf(interaction));
        if (ChatAction.Decode(interaction.Data?.CustomId) is not { } action)
        {
            return new ButtonOutcome(t.OfferExpired, Changed: false);
        }

        var inChannel = interaction.GuildId is not null;
        var (subscriber, refusal) = ResolveSubscriber(interaction, inChannel, requirePermission: action is not ChatAction.Help);
        if (subscriber is null)
        {
            return new ButtonOutcome(refusal!, Changed: false);
        }

        var stored = await subscriptions.EnsureSubscriberAsync(subscriber, cancellationToken).ConfigureAwait(false);
        var label = interaction.Message?.Components?.SelectMany(r => r.Components).FirstOrDefault(b => b.CustomId == interaction.Data!.CustomId)?.Label;
        try
        {
            return await commands.PressAsync(stored with { DetectedLanguage = subscriber.DetectedLanguage }, action, label?.StartsWith('#') == true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(ex, interaction.Data?.CustomId ?? "");
            return new ButtonOutcome(t.SomethingFailed, Changed: false);
        }
    }

    /// <summary>Autocomplete of <c>/unsubscribe which:</c>: the caller's (or, with here:true, the channel's) subscriptions.</summary>
    public async Task<IReadOnlyList<ApplicationCommandChoice>> AutocompleteAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        var (subscriber, _) = ResolveSubscriber(interaction, GetBool(interaction, "here") == true, requirePermission: false);
        if (subscriber is null)
        {
            return [];
        }

        var typed = (interaction.Data?.Options?.FirstOrDefault(o => o.Focused == true)?.Value is { ValueKind: JsonValueKind.String } v ? v.GetString() : null) ?? "";
        var list = await subscriptions.ListSubscriptionsAsync(subscriber.Id, cancellationToken).ConfigureAwait(false);
        return list
            .Select((s, i) => new ApplicationCommandChoice(Clip($"#{i + 1} {s.Query}", 100), (i + 1).ToString(CultureInfo.InvariantCulture)))
            .Where(c => typed.Length == 0 || c.Name.Contains(typed, StringComparison.OrdinalIgnoreCase))
            .Take(DiscordCommandCatalog.MaxChoices)
            .ToList();
    }

    /// <summary>Deactivated because Discord refused the DM (403 / 50007), as the alert channel reports it.</summary>
    internal static bool IsDmRefused(Subscriber subscriber) =>
        subscriber.Platform == Platforms.DiscordUser && subscriber.DeactivatedReason is { } reason
        && (reason.Contains("50007", StringComparison.Ordinal) || reason.Contains("403", StringComparison.Ordinal));

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>The subscriber a command applies to, or a refusal explaining why not.</summary>
    internal static (Subscriber? Subscriber, string? Refusal) ResolveSubscriber(Interaction interaction, bool here, bool requirePermission)
    {
        if (here)
        {
            var channelId = interaction.ChannelId ?? interaction.Channel?.Id;
            if (interaction.GuildId is null || interaction.Member is null || string.IsNullOrEmpty(channelId))
            {
                return (null, ChatTexts.For(LanguageOf(interaction)).HereOnlyInServer);
            }

            if (requirePermission && !HasManageChannels(interaction.Member.Permissions))
            {
                return (null, ChatTexts.For(LanguageOf(interaction)).ChannelNeedsPermission);
            }

            return (new Subscriber(Subscriber.MakeId(Platforms.DiscordChannel, channelId), Platforms.DiscordChannel, channelId, IsGroup: true, DetectedLanguage: LanguageOf(interaction)), null);
        }

        var userId = interaction.Member?.User?.Id ?? interaction.User?.Id;
        if (string.IsNullOrEmpty(userId))
        {
            return (null, ChatTexts.For(LanguageOf(interaction)).WhoAreYou);
        }

        return (new Subscriber(Subscriber.MakeId(Platforms.DiscordUser, userId), Platforms.DiscordUser, userId, DetectedLanguage: LanguageOf(interaction)), null);
    }

    /// <summary>Replies go in the interaction's locale (SPEC §5): German for <c>de</c>, English otherwise.</summary>
    internal static string LanguageOf(Interaction interaction) => ChatLanguage.FromClient(interaction.Locale);

    /// <summary>Who reads a reply that belongs to no subscriber (help, sources): only the language matters.</summary>
    private static Subscriber Reader(Interaction interaction) =>
        new("discord:reader", Platforms.DiscordUser, "", DetectedLanguage: LanguageOf(interaction));

    /// <summary><c>member.permissions</c> is a decimal string of a bit set that may outgrow 64 bits; Administrator implies everything.</summary>
    internal static bool HasManageChannels(string? permissions)
    {
        if (string.IsNullOrEmpty(permissions) || !BigInteger.TryParse(permissions, NumberStyles.None, CultureInfo.InvariantCulture, out var bits))
        {
            return false;
        }

        return (bits & (ManageChannels | Administrator)) != BigInteger.Zero;
    }

    private static InteractionOption? Option(Interaction interaction, string name) =>
        interaction.Data?.Options?.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.Ordinal));

    private static string? GetString(Interaction interaction, string name) =>
        Option(interaction, name)?.Value is { ValueKind: JsonValueKind.String } value ? value.GetString()
        : Option(interaction, name)?.Value is { ValueKind: JsonValueKind.Number } number ? number.GetRawText()
        : null;

    private static bool? GetBool(Interaction interaction, string name) =>
        Option(interaction, name)?.Value is { ValueKind: JsonValueKind.True or JsonValueKind.False } value ? value.GetBoolean() : null;

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord: /{Command} failed")]
    private partial void LogFailed(Exception ex, string command);
}
