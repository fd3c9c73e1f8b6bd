using System.Collections.Concurrent;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;

namespace Alerts.Host.Tests.Fakes;

/// <summary>Records every send with the (fake) time it happened; answers from a script, else Sent.</summary>
internal sealed class RecordingChannel(TimeProvider time, ChannelLimits limits, params string[] platforms) : IAlertChannel
{
    public IReadOnlyCollection<string> Platforms { get; } = platforms.Length == 0 ? ["test"] : platforms;

    public ChannelLimits Limits { get; } = limits;

    /// <summary>1 (the default): every alert alone, as the console and webhook channels do.</summary>
    public int MaxCombined { get; set; } = 1;

    /// <summary>Every alert sent, with its time; a combined message contributes each of its alerts.</summary>
    public ConcurrentQueue<(long Id, string Subscriber, DateTimeOffset At)> Sends { get; } = new();

    /// <summary>Every message sent: the alerts it carried, oldest first.</summary>
    public ConcurrentQueue<(IReadOnlyList<long> Ids, string Subscriber, DateTimeOffset At)> Messages { get; } = new();

    /// <summary>Every edit: the row, the message it edited, the headline it now shows, and when.</summary>
    public ConcurrentQueue<(long Id, PlatformMessage Message, string Headline, DateTimeOffset At)> Edits { get; } = new();

    /// <summary>Decides the result for matching sends; return null to fall through to the next rule or Sent.</summary>
    public List<Func<OutboxAlert, Subscriber, SendResult?>> Rules { get; } = [];

    public Task<SendResult> SendAsync(OutboxAlert alert, AlertContext context, Subscriber to, CancellationToken cancellationToken) =>
        Record([alert], to);

    public Task<SendResult> SendCombinedAsync(IReadOnlyList<OutboxAlert> alerts, AlertContext context, Subscriber to, CancellationToken cancellationToken)
    {
        Assert.InRange(alerts.Count, 2, MaxCombined);
        return Record(alerts, to);
    }

    public Task<SendResult> EditAsync(OutboxAlert alert, AlertContext context, Subscriber to, CancellationToken cancellationToken)
    {
        Edits.Enqueue((alert.Id, alert.Message!, alert.Headline, time.GetUtcNow()));
        foreach (var rule in Rules)
        {
            if (rule(alert, to) is { } result)
            {
                return Task.FromResult(result);
            }
        }

        return Task.FromResult<SendResult>(new SendResult.Sent(alert.Message));
    }

    private Task<SendResult> Record(IReadOnlyList<OutboxAlert> alerts, Subscriber to)
    {
        var at = time.GetUtcNow();
        Messages.Enqueue(([.. alerts.Select(a => a.Id)], to.Id, at));
        foreach (var alert in alerts)
        {
            Sends.Enqueue((alert.Id, to.Id, at));
        }

        foreach (var rule in Rules)
        {
            if (rule(alerts[0], to) is { } result)
            {
                return Task.FromResult(result);
            }
        }

        // A message id per message, as a platform gives: "m" and the first row's id.
        return Task.FromResult<SendResult>(new SendResult.Sent(new PlatformMessage(to.Address, $"m{alerts[0].Id}")));
    }
}
