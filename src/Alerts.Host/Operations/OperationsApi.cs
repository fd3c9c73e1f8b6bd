using System.Security.Cryptography;
using System.Text;
using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Host.Delivery;
using Alerts.Host.Options;
using Alerts.Host.Polling;
using Alerts.Core.Tickers;
using Alerts.Storage;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Prometheus;
using DashboardOptions = Alerts.Host.Options.DashboardOptions;

namespace Alerts.Host.Operations;

/// <summary><c>GET /healthz</c>, <c>GET /metrics</c> and the Hangfire dashboard under <c>/hangfire</c> (SPEC §10).</summary>
internal static class OperationsApi
{
    public static WebApplication MapOperations(this WebApplication app)
    {
        app.MapGet("/healthz", GetHealthAsync);
        app.MapMetrics("/metrics", app.Services.GetRequiredService<AlertsMetrics>().Registry);

        var dashboard = app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value;
        app.UseForwardedHeaders(ForwardedHeadersFrom(dashboard));
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/hangfire", StringComparison.OrdinalIgnoreCase), branch => branch.Use(AddSecurityHeaders));
        app.UseHangfireDashboard(
            "/hangfire",
            new Hangfire.DashboardOptions
            {
                Authorization = [new DashboardAuthorization(dashboard)],

                // Retrying, deleting or triggering jobs needs the credentials: "from this machine" is too weak for
                // actions (a local process, a proxy misconfigured later). POSTs also need Hangfire's anti-forgery
                // token (AddAntiforgery in AddAlertsCore), so another site cannot make a logged-in browser post them.
                IsReadOnlyFunc = _ => !dashboard.HasCredentials,
                DisplayStorageConnectionString = false,
                AppPath = null,
            },
            app.Services.GetRequiredService<JobStorage>());
        return app;
    }

    /// <summary>Forwarding headers believed from the configured proxies only; the framework's default trusts loopback, which is every proxy on this host.</summary>
    internal static ForwardedHeadersOptions ForwardedHeadersFrom(DashboardOptions settings)
    {
        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var proxy in settings.KnownProxies)
        {
            forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
        }

        return forwarded;
    }

    private static Task AddSecurityHeaders(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";

        // The dashboard's pages carry inline scripts and styles of their own; nothing may come from elsewhere or frame them.
        headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
        return next();
    }

    internal static async Task<IResult> GetHealthAsync(
        IReadOnlyList<SourceDefinition> configured,
        IOptions<PollingOptions> polling,
        StorageOptions storage,
        IOutboxStore outbox,
        ITickerStateStore states,
        SourcePoller poller,
        DispatchLeader leader,
        InstanceIdentity instance,
        StorageWriteProbe writeProbe,
        ServiceHealth health,
        CancellationToken cancellationToken)
    {
        string? databaseError = null;
        IReadOnlyDictionary<OutboxStatus, long>? counts = null;
        try
        {
            counts = await outbox.CountByStatusAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            databaseError = e.Message;
        }

        // Reads alone pass on a full disk; the database is healthy only when it also takes a write.
        databaseError ??= await writeProbe.ProbeAsync(cancellationToken);

        var sources = new List<SourceHealth>();
        foreach (var source in configured)
        {
            var local = poller.Status(source.Id);
            SourceState? stored = null;
            if (databaseError is null)
            {
                try
                {
                    // The store has the cluster's view: another instance may be the one polling this source.
                    stored = await states.GetStateAsync(source.Id, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    databaseError = e.Message;
                }
            }

            // A poll stuck far over its timeout has not failed yet, but nothing is coming from that source either.
            var stalled = local.StalledSince is { } since ? $"poll stalled: running since {since:u}, over the timeout of {polling.Value.Timeout}" : null;
            sources.Add(new SourceHealth(
                source.Id,
                source.DisplayName,
                Latest(stored?.LastSuccessAt, local.LastSuccessAt),
                (stored?.ConsecutiveFailures ?? local.ConsecutiveFailures) + (stalled is null ? 0 : 1),
                stalled ?? stored?.LastError ?? local.LastError,
                local.NextPollAt));
        }

        var (status, reasons) = health.Assess(databaseError, [.. sources.Select(s => new SourceHealthView(s.Id, s.LastSuccessfulPoll, s.ConsecutiveFailures, s.LastError))]);
        databaseError ??= health.DatabaseProblem;
        var report = new HealthReport(
            status.ToString().ToLowerInvariant(),
            reasons,
            new DatabaseHealth(databaseError is null, storage.IsPostgres ? StorageOptions.Postgres : StorageOptions.Sqlite, databaseError),
            instance.Id,
            leader.HoldsLease(),
            counts is null ? null : new OutboxHealth(counts.GetValueOrDefault(OutboxStatus.Pending), counts.GetValueOrDefault(OutboxStatus.Sent), counts.GetValueOrDefault(OutboxStatus.Failed)),
            sources);
        return status == HealthStatus.Unhealthy
            ? TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Ok(report);
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : (a > b ? a : b);

    internal sealed record HealthReport(string Status, IReadOnlyList<string> Reasons, DatabaseHealth Database, string Instance, bool Dispatching, OutboxHealth? Outbox, IReadOnlyList<SourceHealth> Sources);

    internal sealed record DatabaseHealth(bool Ok, string Provider, string? Error);

    internal sealed record OutboxHealth(long Pending, long Sent, long Failed);

    internal sealed record SourceHealth(string Id, string Name, DateTimeOffset? LastSuccessfulPoll, int ConsecutiveFailures, string? LastError, DateTimeOffset? NextPoll);
}

/// <summary>
/// Dashboard access: with <c>Alerts:Dashboard:Username/Password</c>, HTTP basic auth from anywhere;
/// without, requests from this machine only.
/// </summary>
internal sealed class DashboardAuthorization(DashboardOptions settings) : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
        if (!settings.HasCredentials)
        {
            return IsLocal(http);
        }

        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
                var expected = $"{settings.Username}:{settings.Password}";
                if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(decoded), Encoding.UTF8.GetBytes(expected)))
                {
                    return true;
                }
            }
            catch (FormatException)
            {
                // Not base64: refused like a wrong password.
            }
        }

        http.Response.Headers.WWWAuthenticate = "Basic realm=\"Alerts\", charset=\"UTF-8\"";
        return false;
    }

    /// <summary>Headers a proxy adds; the middleware moves a consumed <c>X-Forwarded-For</c> to <c>X-Original-For</c>.</summary>
    private static readonly string[] ForwardingHeaders = ["X-Forwarded-For", "X-Original-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host", "X-Forwarded-Proto"];

    /// <summary>
    /// This machine, and not through a proxy: a reverse proxy on the same host connects from 127.0.0.1 for every
    /// client on the internet, so a request that carries any forwarding header is never local (issue 13).
    /// </summary>
    internal static bool IsLocal(HttpContext http)
    {
        if (Array.Exists(ForwardingHeaders, h => http.Request.Headers.ContainsKey(h)))
        {
            return false;
        }

        var remote = http.Connection.RemoteIpAddress;
        if (remote is null)
        {
            return false;
        }

        return System.Net.IPAddress.IsLoopback(remote) || remote.Equals(http.Connection.LocalIpAddress);
    }
}
