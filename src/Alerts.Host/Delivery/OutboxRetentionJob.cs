using Alerts.Storage;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Alerts.Host.Delivery;

/// <summary>
/// Deletes sent and failed outbox rows older than <c>Alerts:Dispatch:RetainFinished</c>, once a day. A Hangfire
/// recurring job: daily is within cron's resolution, and Hangfire runs it once for the whole cluster.
/// </summary>
[AutomaticRetry(Attempts = 3)]
internal sealed class OutboxRetentionJob(IOutboxRetention retention, IOptions<Core.Delivery.DispatchOptions> options, TimeProvider time, ILogger<OutboxRetentionJob> logger)
{
    public const string Id = "outbox-retention";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var deleted = await retention.PurgeFinishedAsync(time.GetUtcNow() - options.Value.RetainFinished, cancellationToken);
        logger.LogInformation("Outbox retention: {Deleted} finished rows deleted", deleted);
    }
}

/// <summary>Registers the recurring jobs at start-up (idempotent across restarts and instances).</summary>
internal sealed class RecurringJobsRegistration(IRecurringJobManager recurringJobs, IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IOutboxRetention>() is not null)
        {
            recurringJobs.AddOrUpdate<OutboxRetentionJob>(OutboxRetentionJob.Id, job => job.RunAsync(CancellationToken.None), Cron.Daily(3));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
