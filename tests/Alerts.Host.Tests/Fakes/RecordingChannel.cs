using System.Collections.Concurrent;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;

namespace Alerts.Host.Tests.Fakes;

/// <summary>Records every send with the (fake) time it happened; answers from a script, else Sent.</summary>
internal sealed class RecordingChannel(TimeProvider time, ChannelLimits limits, params string[] platforms) : IAlertChannel
{
    public IReadOnlyCollection<string> Platforms { get; } = platforms.Length == 0 ? ["test"] : platforms;

    public ChannelLimits Limits { get; } = limits;

    public ConcurrentQueue<(long Id, string Subscriber, DateTimeOffset At)> Sends { get; } = new();

    /// <summary>Decides the result for matching sends; return null to fall through to the next rule or Sent.</summary>
    public List<Func<OutboxAlert, Subscriber, SendResult?>> Rules { get; } = [];

    public Task<SendResult> SendAsync(OutboxAlert alert, AlertContext context, Subscriber to, CancellationToken cancellationToken)
    {
        Sends.Enqueue((alert.Id, to.Id, time.GetUtcNow()));
        foreach (var rule in Rules)
        {
            if (rule(alert, to) is { } result)
            {
                return Task.FromResult(result);
            }
        }

        return Task.FromResult<SendResult>(new SendResult.Sent("m"));
    }
}
