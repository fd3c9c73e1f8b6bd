using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Microsoft.Extensions.Logging;

namespace Alerts.Core.Delivery;

/// <summary>
/// Sends one message through its channel and settles its rows by what the platform answered (SPEC §6): sent rows are
/// marked sent only now; a 429 pauses the subscriber (or the channel) and keeps the rows first in line; transient
/// failures retry with backoff; permanent ones fail; a gone subscriber is deactivated; a migrated one is moved.
/// A row that is an edit (<see cref="OutboxAlert.IsEdit"/>: its entry was updated after the alert went out) goes alone
/// through <see cref="IAlertChannel.EditAsync"/>; when it cannot be edited, the alert stays sent as it was and only the
/// edit is given up, without a word to the subscriber.
/// </summary>
internal sealed class DeliverySettler(
    IOutboxStore outbox,
    SubscriberDirectory subscribers,
    DeliverySchedule schedule,
    OutboxClaims claims,
    DeliveryRateLimiter limiter,
    IReadOnlyDictionary<string, SourceDefinition> sources,
    DispatchOptions options,
    TimeProvider time,
    IDeliveryObserver observer,
    ILogger logger)
{
    /// <summary>
    /// Sends and settles; returns when the rows are settled. The message counts as in flight until then: a crash before
    /// its rows are marked sent is what can deliver it twice, so that is what <see cref="DispatchOptions.MaxConcurrentSends"/>
    /// bounds. Never throws.
    /// </summary>
    public async Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        TimeSpan? roundTrip = null;
        try
        {
            var started = time.GetTimestamp();
            var result = await TrySendAsync(message, cancellationToken);
            roundTrip = time.GetElapsedTime(started);
            await SettleAsync(message, result);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down mid-send: the rows stay held and are handed back when the dispatcher stops.
        }
        catch (Exception e)
        {
            // Settling failed (database down?): drop the rows from memory; the next dispatcher start releases their claims.
            logger.LogError(e, "Could not settle outbox rows {Ids}", string.Join(", ", message.Rows.Select(r => r.Alert.Id)));
            schedule.Forget(message.Rows);
        }
        finally
        {
            schedule.Finished(message, roundTrip);
        }
    }

    private async Task<SendResult> TrySendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var first = message.Rows[0].Alert;
        var context = new AlertContext(
            sources.TryGetValue(first.SourceId, out var source) ? source.DisplayName : first.SourceId,
            FindTimeZone(message.To.TimeZone));
        try
        {
            return message.Rows.Count > 1 ? await message.Channel.SendCombinedAsync([.. message.Rows.Select(r => r.Alert)], context, message.To, cancellationToken)
                : first.IsEdit ? await message.Channel.EditAsync(first, context, message.To, cancellationToken)
                : await message.Channel.SendAsync(first, context, message.To, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendResult.Transient($"{e.GetType().Name}: {e.Message}");
        }
    }

    private async Task SettleAsync(OutgoingMessage message, SendResult result)
    {
        var now = time.GetUtcNow();
        var platform = message.To.Platform;
        switch (result)
        {
            case SendResult.Sent sent:
                foreach (var row in message.Rows)
                {
                    // Only a message that carries one alert can follow its entry later; a combined backlog is left as sent.
                    var where = message.Rows.Count == 1 ? sent.Message ?? row.Alert.Message : null;
                    await outbox.MarkSentAsync(row.Alert.Id, now, new SentReceipt(row.Alert.Revision, where), CancellationToken.None);
                    if (row.Alert.IsEdit)
                    {
                        observer.EditSettled(row.Alert, platform, EditOutcomes.Edited);
                    }
                    else
                    {
                        observer.Sent(row.Alert, platform, now);
                    }
                }

                schedule.Forget(message.Rows);
                break;

            case SendResult.RateLimited limited:
                foreach (var row in message.Rows)
                {
                    observer.Retried(row.Alert, platform, "rate_limited");
                }

                if (limited.Global)
                {
                    limiter.PauseChannel(message.Channel, now + limited.RetryAfter);
                }
                else
                {
                    limiter.PauseSubscriber(message.Channel, message.To, now + limited.RetryAfter);
                }

                if (limited.RetryAfter <= options.Horizon)
                {
                    // First in their subscriber's queue again; the pause keeps them (and only them) waiting.
                    schedule.Requeue(message.Rows);
                    break;
                }

                foreach (var row in message.Rows)
                {
                    await claims.PutBackAsync(row.Alert.Id, now + limited.RetryAfter, limited.Reason, countsAsAttempt: false, CancellationToken.None);
                }

                schedule.Forget(message.Rows);
                break;

            case SendResult.Transient transient:
                foreach (var row in message.Rows)
                {
                    await RetryAsync(row.Alert, platform, transient.Reason, options.RetryDelay(row.Alert.Attempts + 1), FailureReasons.RetriesExhausted, now, CancellationToken.None);
                }

                schedule.Forget(message.Rows);
                break;

            case SendResult.Permanent permanent:
                await FailAsync(message.Rows, permanent.Reason, FailureReasons.Permanent, now);
                break;

            case SendResult.SubscriberGone gone:
                await subscribers.DeactivateAsync(message.To, gone.Reason, now);
                await FailAsync(message.Rows, gone.Reason, FailureReasons.SubscriberGone, now);
                await FailAsync(schedule.TakeQueued(message.To.Id), $"subscriber gone: {gone.Reason}", FailureReasons.SubscriberGone, now);
                break;

            case SendResult.Migrated migrated:
                await MigrateAsync(message, migrated.NewAddress, now);
                break;
        }
    }

    /// <summary>Reschedules a row with <paramref name="delay"/>, or fails it when it has used up its attempts or its age.</summary>
    public async Task RetryAsync(OutboxAlert alert, string platform, string reason, TimeSpan delay, string exhaustedCategory, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var attempts = alert.Attempts + 1;

        // An edit is as old as the alert it corrects; only its attempts bound it (the store edits alerts of 48 hours).
        if (attempts >= options.MaxAttempts || (!alert.IsEdit && now - alert.EnqueuedAt >= options.MaxAge))
        {
            await FailAsync(alert, platform, $"{reason} (gave up after {attempts} attempts)", exhaustedCategory, now, cancellationToken);
            return;
        }

        await claims.PutBackAsync(alert.Id, now + delay, reason, countsAsAttempt: true, cancellationToken);
        observer.Retried(alert, platform, "transient");
    }

    public async Task FailAsync(OutboxAlert alert, string platform, string reason, string category, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await outbox.MarkFailedAsync(alert.Id, reason, now, cancellationToken);
        if (alert.IsEdit)
        {
            // The alert itself went out: the store keeps it sent, and nobody needs more than a line in the log.
            observer.EditSettled(alert, platform, EditOutcomes.GivenUp);
            logger.LogInformation("Edit of alert {Id} for {Subscriber} given up: {Reason}", alert.Id, alert.SubscriberId, reason);
            return;
        }

        observer.Failed(alert, platform, category);
        logger.LogWarning("Alert {Id} for {Subscriber} failed: {Reason}", alert.Id, alert.SubscriberId, reason);
    }

    private async Task FailAsync(IReadOnlyList<PendingAlert> rows, string reason, string category, DateTimeOffset now)
    {
        foreach (var row in rows)
        {
            await FailAsync(row.Alert, row.To.Platform, reason, category, now, CancellationToken.None);
        }

        schedule.Forget(rows);
    }

    private async Task MigrateAsync(OutgoingMessage message, string newAddress, DateTimeOffset now)
    {
        var old = message.To;
        var newId = Subscriber.MakeId(old.Platform, newAddress);
        if (message.Rows.Any(r => r.Migrated) || newId == old.Id)
        {
            await FailAsync(message.Rows, $"migrated again to {newAddress}", FailureReasons.Migration, now);
            return;
        }

        if (message.Rows[0].Alert.IsEdit)
        {
            // The message stays in the old chat, where it cannot be edited any more; the next alert moves the subscriber.
            await FailAsync(message.Rows, $"chat migrated to {newAddress}", FailureReasons.Migration, now);
            return;
        }

        var target = old with { Id = newId, Address = newAddress };
        await subscribers.MigrateAsync(old, target, now);
        logger.LogInformation("Subscriber {Old} moved to {New}", old.Id, newId);

        // The store moved the pending rows; the ones waiting here follow them to the new address, this message first.
        var waiting = schedule.TakeQueued(old.Id);
        schedule.Forget(message.Rows);
        schedule.Requeue([.. message.Rows.Concat(waiting).Select(r => new PendingAlert(r.Alert with { SubscriberId = newId }, target, r.Channel, Migrated: true))]);
    }

    private static TimeZoneInfo FindTimeZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        }
    }
}
