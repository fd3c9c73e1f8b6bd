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
            var mutates = name is DiscordCommandCatalog.Subscribe or DiscordCommandCatalog.Unsubscribe or DiscordCommandCatalog.Pause or DiscordCommandCatalog.Resume;
            var (subscriber, refusal) = ResolveSubscriber(interaction, here, requirePermission: mutates);
            if (subscriber is null)
            {
                return CommandReply.Error(refusal!);
            }

            if (mutates)
            {
                var stored = await subscriptions.EnsureSubscriberAsync(subscriber, cancellationToken).ConfigureAwait(false);
                if (!stored.Active)
                {
                    // Talking to the bot again (or an admin subscribing a channel the bot can post in again) revives it.
                    await subscriptions.ReactivateAsync(stored.Id, cancellationToken).ConfigureAwait(false);
                }

                subscriber = stored with { Active = true };
            }

            return name switch
            {
                DiscordCommandCatalog.Subscribe => await commands.SubscribeAsync(subscriber, GetString(interaction, "query") ?? "", GetString(interaction, "source"), cancellationToken).ConfigureAwait(false),
                DiscordCommandCatalog.Unsubscribe => await commands.UnsubscribeAsync(subscriber, GetString(interaction, "which") ?? "", cancellationToken).ConfigureAwait(false),
                DiscordCommandCatalog.List => await commands.ListAsync(subscriber, cancellationToken).ConfigureAwait(false),
                DiscordCommandCatalog.Preview => await commands.PreviewAsync(subscriber, GetString(interaction, "query") ?? "", GetString(interaction, "source"), cancellationToken).ConfigureAwait(false),
                DiscordCommandCatalog.Pause => await commands.PauseAsync(subscriber, cancellationToken).ConfigureAwait(false),
                DiscordCommandCatalog.Resume => await commands.ResumeAsync(subscriber, cancellationToken).ConfigureAwait(false),
                _ => CommandReply.Error($"Unknown command /{name}. Try /help."),
            };
        }
        catch (QuerySyntaxException ex)
        {
            return CommandReply.Error($"Your query does not parse: {ex.Reason} at position {ex.Position + 1}.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            LogFailed(ex, name);
            return CommandReply.Error("Sorry, that did not work because of an error on our side. Please try again in a minute.");
        }
    }

    /// <summary>The subscriber a command applies to, or a refusal explaining why not.</summary>
    internal static (Subscriber? Subscriber, string? Refusal) ResolveSubscriber(Interaction interaction, bool here, bool requirePermission)
    {
        if (here)
        {
            var channelId = interaction.ChannelId ?? interaction.Channel?.Id;
            if (interaction.GuildId is null || interaction.Member is null || string.IsNullOrEmpty(channelId))
            {
                return (null, "here:true works in a server channel only. In a DM, leave it out: alerts then come to you directly.");
            }

            if (requirePermission && !HasManageChannels(interaction.Member.Permissions))
            {
                return (null, "Changing this channel's alerts needs the Manage Channels permission, which you do not have here. Ask a moderator, or leave out here:true to get the alerts by DM.");
            }

            return (new Subscriber(Subscriber.MakeId(Platforms.DiscordChannel, channelId), Platforms.DiscordChannel, channelId, IsGroup: true, DetectedLanguage: LanguageOf(interaction)), null);
        }

        var userId = interaction.Member?.User?.Id ?? interaction.User?.Id;
        if (string.IsNullOrEmpty(userId))
        {
            return (null, "Discord did not say who you are; please try again.");
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
