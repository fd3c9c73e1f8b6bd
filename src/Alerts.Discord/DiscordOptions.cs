using System.Globalization;
using Microsoft.Extensions.Options;

namespace Alerts.Discord;

/// <summary><c>Alerts:Discord</c> (SPEC §11). The adapter is on when <see cref="BotToken"/> is set.</summary>
public sealed class DiscordOptions
{
    public const string Section = "Alerts:Discord";

    public const string DefaultApiBaseUrl = "https://discord.com/api/v10/";

    /// <summary>The application's id (a snowflake) from the Developer Portal.</summary>
    public string ApplicationId { get; set; } = "";

    /// <summary>The application's Ed25519 public key, 64 hex characters, for checking interaction signatures.</summary>
    public string PublicKey { get; set; } = "";

    /// <summary>From the environment (<c>Alerts__Discord__BotToken</c>) or user secrets only; never logged.</summary>
    public string BotToken { get; set; } = "";

    /// <summary>Replaces <see cref="DefaultApiBaseUrl"/> (a test server on 127.0.0.1).</summary>
    public string? ApiBaseUrl { get; set; }

    /// <summary>When set, slash commands are registered for this guild only (they show up at once); otherwise globally.</summary>
    public string? GuildId { get; set; }

    /// <summary>A command that has not finished after this long is answered with a deferred reply (Discord allows 3 s).</summary>
    public TimeSpan DeferAfter { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Per request to Discord's API; a request that takes longer is a transient failure.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Interaction signatures whose timestamp is further than this from now are rejected (replay protection).</summary>
    public TimeSpan SignatureMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    public Uri ApiBaseUri
    {
        get
        {
            var url = string.IsNullOrWhiteSpace(ApiBaseUrl) ? DefaultApiBaseUrl : ApiBaseUrl.Trim();
            return new Uri(url.EndsWith('/') ? url : url + "/", UriKind.Absolute);
        }
    }

    public bool IsEnabled => !string.IsNullOrWhiteSpace(BotToken);

    /// <summary>Never prints the token.</summary>
    public override string ToString() =>
        $"DiscordOptions {{ ApplicationId = {ApplicationId}, ApiBaseUrl = {ApiBaseUri}, GuildId = {GuildId}, BotToken = {(IsEnabled ? "***" : "(unset)")} }}";
}

/// <summary>Invalid configuration stops start-up with a message naming the key (SPEC §10).</summary>
internal sealed class DiscordOptionsValidator : IValidateOptions<DiscordOptions>
{
    public ValidateOptionsResult Validate(string? name, DiscordOptions options)
    {
        if (!options.IsEnabled)
        {
            return ValidateOptionsResult.Success;
        }

        const string prefix = DiscordOptions.Section + ":";
        var errors = new List<string>();
        if (!IsSnowflake(options.ApplicationId))
        {
            errors.Add($"{prefix}ApplicationId must be the application's numeric id from the Discord Developer Portal (got '{options.ApplicationId}').");
        }

        if (options.PublicKey.Trim().Length != 64 || !IsHex(options.PublicKey.Trim()))
        {
            errors.Add($"{prefix}PublicKey must be the application's public key: 64 hexadecimal characters.");
        }

        if (options.BotToken.Any(char.IsWhiteSpace))
        {
            // The token itself is never echoed.
            errors.Add($"{prefix}BotToken must not contain whitespace (copy the bot token without the 'Bot ' prefix).");
        }

        if (!string.IsNullOrWhiteSpace(options.ApiBaseUrl)
            && (!Uri.TryCreate(options.ApiBaseUrl.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"{prefix}ApiBaseUrl must be an absolute http(s) URL such as {DiscordOptions.DefaultApiBaseUrl} (got '{options.ApiBaseUrl}').");
        }

        if (!string.IsNullOrWhiteSpace(options.GuildId) && !IsSnowflake(options.GuildId))
        {
            errors.Add($"{prefix}GuildId must be a numeric guild id or empty (got '{options.GuildId}').");
        }

        if (options.DeferAfter <= TimeSpan.Zero || options.DeferAfter >= TimeSpan.FromSeconds(2.5))
        {
            errors.Add($"{prefix}DeferAfter must be between 0 and 2.5 seconds: Discord drops interactions not answered within 3 seconds.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}RequestTimeout must be positive.");
        }

        if (options.SignatureMaxAge <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}SignatureMaxAge must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool IsSnowflake(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= 20 && ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    private static bool IsHex(string value) => value.All(char.IsAsciiHexDigit);
}
