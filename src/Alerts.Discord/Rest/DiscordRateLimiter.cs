namespace Alerts.Discord.Rest;

/// <summary>A request that must not be made yet, and for how long.</summary>
public sealed record RateLimitBlock(TimeSpan RetryAfter, bool Global, string Reason);

/// <summary>
/// Discord's rate limits as seen from this process (SPEC §6):
/// <list type="bullet">
/// <item>per bucket, learned from <c>X-RateLimit-Bucket</c>/<c>-Remaining</c>/<c>-Reset-After</c>; an exhausted bucket blocks its route
/// and major parameter (channel, guild, webhook) until it resets, without calling Discord;</item>
/// <item>a 429 blocks its bucket for <c>retry_after</c>, or everything when <c>global</c> is true;</item>
/// <item>at most <see cref="GlobalPerSecond"/> bot requests per second (interaction webhooks are exempt, as at Discord);</item>
/// <item>an invalid-request guard: 401, 403 and 429 responses (except 429s of <c>shared</c> scope, which Discord does not count)
/// in a sliding 10-minute window; at <see cref="InvalidRequestLimit"/> everything stops until the window has room again,
/// half of Discord's 10,000 after which it bans the IP address.</item>
/// </list>
/// Thread-safe; one instance per process.
/// </summary>
public sealed class DiscordRateLimiter(TimeProvider time)
{
    public const int GlobalPerSecond = 50;

    public const int InvalidRequestLimit = 5_000;

    public static readonly TimeSpan InvalidRequestWindow = TimeSpan.FromMinutes(10);

    private readonly Lock gate = new();
    private readonly Dictionary<string, string> bucketOfRoute = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BucketState> buckets = new(StringComparer.Ordinal);
    private readonly Queue<DateTimeOffset> recentGlobal = new();
    private readonly Queue<DateTimeOffset> invalid = new();
    private DateTimeOffset globalBlockedUntil = DateTimeOffset.MinValue;

    /// <summary>Invalid requests counted in the current window (for metrics and tests).</summary>
    public int InvalidRequestCount
    {
        get
        {
            lock (gate)
            {
                PruneInvalid(time.GetUtcNow());
                return invalid.Count;
            }
        }
    }

    /// <summary>Takes a permit for one request, or says why and how long to wait. A permit is taken only when none blocks.</summary>
    public RateLimitBlock? TryAcquire(string route, string majorParameter, bool countsTowardsGlobal)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            PruneInvalid(now);
            if (invalid.Count >= InvalidRequestLimit)
            {
                return new RateLimitBlock(invalid.Peek() + InvalidRequestWindow - now, true, $"invalid-request guard: {invalid.Count} 401/403/429 responses in 10 minutes");
            }

            if (now < globalBlockedUntil)
            {
                return new RateLimitBlock(globalBlockedUntil - now, true, "global rate limit (429 global)");
            }

            var key = BucketKey(route, majorParameter);
            if (buckets.TryGetValue(key, out var bucket) && bucket.Remaining <= 0 && now < bucket.ResetAt)
            {
                return new RateLimitBlock(bucket.ResetAt - now, false, $"bucket {bucket.Name} exhausted");
            }

            if (countsTowardsGlobal)
            {
                while (recentGlobal.Count > 0 && now - recentGlobal.Peek() >= TimeSpan.FromSeconds(1))
                {
                    recentGlobal.Dequeue();
                }

                if (recentGlobal.Count >= GlobalPerSecond)
                {
                    return new RateLimitBlock(recentGlobal.Peek() + TimeSpan.FromSeconds(1) - now, true, $"global limit of {GlobalPerSecond} requests per second");
                }

                recentGlobal.Enqueue(now);
            }

            if (bucket is not null && now < bucket.ResetAt)
            {
                // Spend the permit before the response arrives, so that concurrent senders cannot overdraw the bucket.
                bucket.Remaining--;
            }

            return null;
        }
    }

    /// <summary>Learns from a response: bucket headers, 429s and invalid requests.</summary>
    public void OnResponse(string route, string majorParameter, int status, RateLimitHeaders headers, TimeSpan? retryAfter, bool global)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (status is 401 or 403 || (status == 429 && !string.Equals(headers.Scope, "shared", StringComparison.OrdinalIgnoreCase)))
            {
                invalid.Enqueue(now);
            }

            if (headers.Bucket is { Length: > 0 } hash)
            {
                bucketOfRoute[route] = hash;
            }

            var key = BucketKey(route, majorParameter);
            if (headers.Remaining is { } remaining && headers.ResetAfter is { } resetAfter)
            {
                buckets[key] = new BucketState(headers.Bucket ?? route, remaining, now + resetAfter);
            }

            if (status == 429)
            {
                var wait = retryAfter ?? headers.ResetAfter ?? TimeSpan.FromSeconds(1);
                if (global)
                {
                    var until = now + wait;
                    if (until > globalBlockedUntil)
                    {
                        globalBlockedUntil = until;
                    }
                }
                else
                {
                    buckets[key] = new BucketState(headers.Bucket ?? route, 0, now + wait);
                }
            }

            PruneBuckets(now);
        }
    }

    private string BucketKey(string route, string majorParameter) =>
        (bucketOfRoute.TryGetValue(route, out var hash) ? hash : route) + "|" + majorParameter;

    private void PruneInvalid(DateTimeOffset now)
    {
        while (invalid.Count > 0 && now - invalid.Peek() >= InvalidRequestWindow)
        {
            invalid.Dequeue();
        }
    }

    private void PruneBuckets(DateTimeOffset now)
    {
        // One bucket per channel adds up over months; reset buckets carry no information.
        if (buckets.Count < 10_000)
        {
            return;
        }

        foreach (var stale in buckets.Where(b => b.Value.ResetAt < now).Select(b => b.Key).ToList())
        {
            buckets.Remove(stale);
        }
    }

    private sealed class BucketState(string name, int remaining, DateTimeOffset resetAt)
    {
        public string Name { get; } = name;

        public int Remaining { get; set; } = remaining;

        public DateTimeOffset ResetAt { get; } = resetAt;
    }
}

/// <summary>The <c>X-RateLimit-*</c> headers of one response.</summary>
public sealed record RateLimitHeaders(string? Bucket, int? Remaining, TimeSpan? ResetAfter, string? Scope, bool Global);
