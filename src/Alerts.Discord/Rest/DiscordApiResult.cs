namespace Alerts.Discord.Rest;

public enum DiscordFailureKind
{
    /// <summary>Not sent because of a rate limit (known in advance), or Discord answered 429.</summary>
    RateLimited,

    /// <summary>Discord answered with a 4xx other than 429.</summary>
    Rejected,

    /// <summary>5xx, timeout, connection failure, or an unreadable success body: worth retrying.</summary>
    Transient,
}

/// <summary>Why a request failed. <see cref="Code"/> is Discord's JSON error code (for example 50007).</summary>
public sealed record DiscordFailure(DiscordFailureKind Kind, int? Status, int? Code, string Message, TimeSpan RetryAfter = default, bool Global = false)
{
    public override string ToString() =>
        Status is null ? $"{Kind}: {Message}" : $"{Kind} {Status}{(Code is null ? "" : $" (code {Code})")}: {Message}";
}

/// <summary>The outcome of one request. The client never throws for Discord's or the network's failures.</summary>
/// <param name="Id">The id of the created object (channel, message), when the route returns one.</param>
public sealed record DiscordApiResult(string? Id, DiscordFailure? Failure)
{
    public bool IsSuccess => Failure is null;

    public static DiscordApiResult Ok(string? id = null) => new(id, null);

    public static DiscordApiResult Fail(DiscordFailure failure) => new(null, failure);
}
