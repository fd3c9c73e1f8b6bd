using System.Text.Json;
using System.Text.Json.Serialization;

namespace Alerts.Discord.Rest;

/// <summary>
/// <c>allowed_mentions: {"parse": []}</c>: no text the bot sends can ping a user, role, @everyone or @here.
/// There is exactly one instance and no way to build another, so no message can allow mentions.
/// </summary>
public sealed class AllowedMentions
{
    private AllowedMentions()
    {
    }

    public static AllowedMentions None { get; } = new();

    [JsonPropertyName("parse")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyList<string> Parse { get; } = [];
}

public static class MessageFlags
{
    /// <summary>Only the user who ran the command sees the message.</summary>
    public const int Ephemeral = 1 << 6;
}

/// <summary>
/// The only message body the client sends (channel messages, DMs, interaction replies, follow-ups, edits).
/// <see cref="AllowedMentions"/> is set by the constructor, cannot be changed, and is always serialized.
/// </summary>
public sealed class DiscordMessage
{
    public DiscordMessage(string? content = null, IReadOnlyList<DiscordEmbed>? embeds = null, int? flags = null, IReadOnlyList<DiscordActionRow>? components = null)
    {
        Content = content;
        Embeds = embeds;
        Flags = flags;
        Components = components;
    }

    [JsonPropertyName("content")]
    public string? Content { get; }

    [JsonPropertyName("embeds")]
    public IReadOnlyList<DiscordEmbed>? Embeds { get; }

    [JsonPropertyName("flags")]
    public int? Flags { get; }

    /// <summary>Rows of buttons under the message (alert actions, confirmations).</summary>
    [JsonPropertyName("components")]
    public IReadOnlyList<DiscordActionRow>? Components { get; }

    [JsonPropertyName("allowed_mentions")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public AllowedMentions AllowedMentions { get; } = AllowedMentions.None;

    public static DiscordMessage Ephemeral(string content) => new(content, flags: MessageFlags.Ephemeral);
}

public sealed record DiscordEmbed
{
    [JsonPropertyName("title")]
    public string? Title { get; init; }

    [JsonPropertyName("description")]
    public string? Description { get; init; }

    [JsonPropertyName("url")]
    public string? Url { get; init; }

    /// <summary>ISO 8601.</summary>
    [JsonPropertyName("timestamp")]
    public string? Timestamp { get; init; }

    [JsonPropertyName("color")]
    public int? Color { get; init; }

    [JsonPropertyName("author")]
    public DiscordEmbedAuthor? Author { get; init; }

    [JsonPropertyName("footer")]
    public DiscordEmbedFooter? Footer { get; init; }

    [JsonPropertyName("fields")]
    public IReadOnlyList<DiscordEmbedField>? Fields { get; init; }
}

/// <summary>A row of up to 5 buttons (component type 1).</summary>
public sealed record DiscordActionRow([property: JsonPropertyName("components")] IReadOnlyList<DiscordButton> Components)
{
    [JsonPropertyName("type")]
    public int Type { get; init; } = 1;
}

/// <summary>A button (component type 2) that sends an interaction with its <see cref="CustomId"/>; style 2 = secondary.</summary>
public sealed record DiscordButton(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("custom_id")] string CustomId)
{
    [JsonPropertyName("type")]
    public int Type { get; init; } = 2;

    [JsonPropertyName("style")]
    public int Style { get; init; } = 2;
}

public sealed record DiscordEmbedAuthor([property: JsonPropertyName("name")] string Name);

public sealed record DiscordEmbedFooter([property: JsonPropertyName("text")] string Text);

public sealed record DiscordEmbedField(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("inline")] bool? Inline = null);

public static class InteractionCallbackType
{
    public const int Pong = 1;
    public const int ChannelMessageWithSource = 4;
    public const int DeferredChannelMessageWithSource = 5;
    public const int UpdateMessage = 7;
    public const int AutocompleteResult = 8;
}

/// <summary>The answer to an interaction, as the HTTP response of the interactions endpoint or through the callback route.</summary>
public sealed class InteractionResponse
{
    private InteractionResponse(int type, DiscordMessage? data)
    {
        Type = type;
        Data = data;
    }

    [JsonPropertyName("type")]
    public int Type { get; }

    [JsonPropertyName("data")]
    public DiscordMessage? Data { get; }

    public static InteractionResponse Pong() => new(InteractionCallbackType.Pong, null);

    public static InteractionResponse Message(DiscordMessage message) => new(InteractionCallbackType.ChannelMessageWithSource, message);

    /// <summary>A button press edits the message it was pressed on (here: its buttons).</summary>
    public static InteractionResponse Update(DiscordMessage message) => new(InteractionCallbackType.UpdateMessage, message);

    /// <summary>"Bot is thinking…", visible to the caller only; the answer follows by editing the original response.</summary>
    public static InteractionResponse DeferredEphemeral() => new(InteractionCallbackType.DeferredChannelMessageWithSource, new DiscordMessage(flags: MessageFlags.Ephemeral));
}

/// <summary>The answer to an autocomplete interaction: up to 25 choices.</summary>
public sealed class AutocompleteResponse(IReadOnlyList<ApplicationCommandChoice> choices)
{
    [JsonPropertyName("type")]
    public int Type => InteractionCallbackType.AutocompleteResult;

    [JsonPropertyName("data")]
    public AutocompleteChoices Data { get; } = new(choices);
}

public sealed record AutocompleteChoices([property: JsonPropertyName("choices")] IReadOnlyList<ApplicationCommandChoice> Choices);

public static class ApplicationCommandOptionType
{
    public const int String = 3;
    public const int Integer = 4;
    public const int Boolean = 5;
}

/// <summary>One slash command in a bulk overwrite.</summary>
public sealed record ApplicationCommand
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("description")]
    public required string Description { get; init; }

    [JsonPropertyName("name_localizations")]
    public IReadOnlyDictionary<string, string>? NameLocalizations { get; init; }

    [JsonPropertyName("description_localizations")]
    public IReadOnlyDictionary<string, string>? DescriptionLocalizations { get; init; }

    /// <summary>1 = CHAT_INPUT (slash command).</summary>
    [JsonPropertyName("type")]
    public int Type { get; init; } = 1;

    [JsonPropertyName("options")]
    public IReadOnlyList<ApplicationCommandOption>? Options { get; init; }

    /// <summary>0 = guild, 1 = DM with the bot.</summary>
    [JsonPropertyName("contexts")]
    public IReadOnlyList<int>? Contexts { get; init; }

    /// <summary>0 = installed to a guild.</summary>
    [JsonPropertyName("integration_types")]
    public IReadOnlyList<int>? IntegrationTypes { get; init; }
}

public sealed record ApplicationCommandOption
{
    [JsonPropertyName("type")]
    public required int Type { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("description")]
    public required string Description { get; init; }

    [JsonPropertyName("description_localizations")]
    public IReadOnlyDictionary<string, string>? DescriptionLocalizations { get; init; }

    [JsonPropertyName("required")]
    public bool? Required { get; init; }

    [JsonPropertyName("autocomplete")]
    public bool? Autocomplete { get; init; }

    [JsonPropertyName("max_length")]
    public int? MaxLength { get; init; }

    [JsonPropertyName("choices")]
    public IReadOnlyList<ApplicationCommandChoice>? Choices { get; init; }
}

public sealed record ApplicationCommandChoice(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value);

public sealed record CreateDmRequest([property: JsonPropertyName("recipient_id")] string RecipientId);

/// <summary>Any response object of which only the id is needed (channel, message).</summary>
public sealed record IdResponse([property: JsonPropertyName("id")] string? Id);

/// <summary>Discord's error body: <c>{"code": 50007, "message": "..."}</c>, or for 429 <c>{"retry_after": 1.5, "global": false}</c>.</summary>
public sealed record DiscordErrorResponse(
    [property: JsonPropertyName("code")] int? Code,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("retry_after")] double? RetryAfter,
    [property: JsonPropertyName("global")] bool? Global);

/// <summary>An incoming interaction (only the fields the bot reads).</summary>
public sealed record Interaction
{
    [JsonPropertyName("id")]
    public string Id { get; init; } = "";

    [JsonPropertyName("application_id")]
    public string? ApplicationId { get; init; }

    /// <summary>1 PING, 2 APPLICATION_COMMAND, 3 MESSAGE_COMPONENT, 4 AUTOCOMPLETE, 5 MODAL_SUBMIT.</summary>
    [JsonPropertyName("type")]
    public int Type { get; init; }

    [JsonPropertyName("token")]
    public string Token { get; init; } = "";

    [JsonPropertyName("data")]
    public InteractionData? Data { get; init; }

    [JsonPropertyName("guild_id")]
    public string? GuildId { get; init; }

    [JsonPropertyName("channel_id")]
    public string? ChannelId { get; init; }

    [JsonPropertyName("channel")]
    public InteractionChannel? Channel { get; init; }

    /// <summary>Set in guilds.</summary>
    [JsonPropertyName("member")]
    public InteractionMember? Member { get; init; }

    /// <summary>Set in DMs.</summary>
    [JsonPropertyName("user")]
    public DiscordUser? User { get; init; }

    /// <summary>The invoking user's client language (<c>de</c>, <c>en-US</c>, …); replies follow it (SPEC §5).</summary>
    [JsonPropertyName("locale")]
    public string? Locale { get; init; }

    /// <summary>For a button press: the message the button is on.</summary>
    [JsonPropertyName("message")]
    public InteractionMessage? Message { get; init; }
}

public sealed record InteractionMessage
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("components")]
    public IReadOnlyList<DiscordActionRow>? Components { get; init; }
}

public sealed record InteractionData
{
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    [JsonPropertyName("options")]
    public IReadOnlyList<InteractionOption>? Options { get; init; }

    /// <summary>For a button press: the button's payload (<c>ChatAction</c>).</summary>
    [JsonPropertyName("custom_id")]
    public string? CustomId { get; init; }
}

public sealed record InteractionOption
{
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    [JsonPropertyName("type")]
    public int Type { get; init; }

    [JsonPropertyName("value")]
    public JsonElement? Value { get; init; }

    /// <summary>For autocomplete: the option being typed.</summary>
    [JsonPropertyName("focused")]
    public bool? Focused { get; init; }
}

public sealed record InteractionChannel([property: JsonPropertyName("id")] string? Id);

public sealed record InteractionMember
{
    [JsonPropertyName("user")]
    public DiscordUser? User { get; init; }

    /// <summary>The member's permissions in the channel, as a decimal string of a bit set.</summary>
    [JsonPropertyName("permissions")]
    public string? Permissions { get; init; }
}

public sealed record DiscordUser([property: JsonPropertyName("id")] string? Id);
