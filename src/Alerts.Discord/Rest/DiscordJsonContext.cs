using System.Text.Json.Serialization;

namespace Alerts.Discord.Rest;

/// <summary>Source-generated JSON for every body the client sends or reads.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DiscordMessage))]
[JsonSerializable(typeof(InteractionResponse))]
[JsonSerializable(typeof(AutocompleteResponse))]
[JsonSerializable(typeof(IReadOnlyList<ApplicationCommand>))]
[JsonSerializable(typeof(CreateDmRequest))]
[JsonSerializable(typeof(IdResponse))]
[JsonSerializable(typeof(DiscordErrorResponse))]
[JsonSerializable(typeof(Interaction))]
public sealed partial class DiscordJsonContext : JsonSerializerContext;
