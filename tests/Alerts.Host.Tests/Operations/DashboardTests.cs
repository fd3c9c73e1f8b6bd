using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Alerts.Host.Delivery;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Alerts.Host.Tests.Operations;

/// <summary>The Hangfire dashboard behind a reverse proxy on the same host (issue 13, SPEC §10).</summary>
public sealed class DashboardTests
{
    [Fact]
    public async Task ARequestFromThisMachineSeesTheDashboardButOneThatCameThroughAProxyDoesNot()
    {
        await using var app = LocalApp();
        var client = app.CreateClient();

        using (var local = await client.GetAsync(new Uri("/hangfire", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        }

        // A proxy on this host connects from 127.0.0.1 for whoever is behind it.
        foreach (var (name, value) in new[] { ("X-Forwarded-For", "203.0.113.5"), ("Forwarded", "for=203.0.113.5"), ("X-Real-IP", "203.0.113.5"), ("X-Forwarded-Host", "alerts.example.org") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
            request.Headers.TryAddWithoutValidation(name, value);
            using var proxied = await client.SendAsync(request);
            Assert.True(proxied.StatusCode == HttpStatusCode.Unauthorized, $"{name}: {proxied.StatusCode}");
        }
    }

    [Fact]
    public async Task ForwardingHeadersAreBelievedFromTheConfiguredProxiesOnly()
    {
        var none = Alerts.Host.Operations.OperationsApi.ForwardedHeadersFrom(new Alerts.Host.Options.DashboardOptions());
        Assert.Empty(none.KnownProxies);
        Assert.Empty(none.KnownIPNetworks);

        var one = Alerts.Host.Operations.OperationsApi.ForwardedHeadersFrom(new Alerts.Host.Options.DashboardOptions { KnownProxies = ["10.0.0.2"] });
        Assert.Equal([IPAddress.Parse("10.0.0.2")], one.KnownProxies);

        // Through the configured proxy the client's address is the remote address, and the request is still not local.
        await using var app = LocalApp();
        app.Settings["Alerts:Dashboard:KnownProxies:0"] = "127.0.0.1";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "127.0.0.1");
        using var proxied = await app.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, proxied.StatusCode);
    }

    [Fact]
    public async Task WithoutCredentialsTheLocalDashboardCannotChangeJobs()
    {
        await using var app = LocalApp();
        var client = app.CreateClient();
        await WaitForRecurringJobAsync(app);

        using var remove = await client.PostAsync(new Uri("/hangfire/recurring/remove", UriKind.Relative), new FormUrlEncodedContent([new("jobs[]", OutboxRetentionJob.Id)]));

        Assert.False(remove.IsSuccessStatusCode, $"{remove.StatusCode}");
        Assert.Contains(OutboxRetentionJob.Id, RecurringJobIds(app));
    }

    [Fact]
    public async Task WithCredentialsAPostWithoutTheAntiForgeryTokenIsRefused()
    {
        await using var app = LocalApp();
        app.Settings["Alerts:Dashboard:Username"] = "ops";
        app.Settings["Alerts:Dashboard:Password"] = "s3cret-dashboard";
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:s3cret-dashboard")));
        await WaitForRecurringJobAsync(app);

        using var remove = await client.PostAsync(new Uri("/hangfire/recurring/remove", UriKind.Relative), new FormUrlEncodedContent([new("jobs[]", OutboxRetentionJob.Id)]));

        Assert.False(remove.IsSuccessStatusCode, $"{remove.StatusCode}");
        Assert.Contains(OutboxRetentionJob.Id, RecurringJobIds(app));
    }

    [Fact]
    public async Task TheDashboardIsServedWithSecurityHeaders()
    {
        await using var app = LocalApp();

        using var response = await app.CreateClient().GetAsync(new Uri("/hangfire", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    /// <summary>The service with requests arriving from 127.0.0.1, as from a browser or a proxy on this machine.</summary>
    private static AlertsApp LocalApp()
    {
        var app = new AlertsApp();
        app.ConfigureTestServices = services => services.AddSingleton<IStartupFilter>(new FromLoopback());
        return app;
    }

    private static async Task WaitForRecurringJobAsync(AlertsApp app) =>
        await Polling.PollerTests.WaitUntilAsync(() => RecurringJobIds(app).Contains(OutboxRetentionJob.Id), TimeSpan.FromSeconds(20));

    private static List<string> RecurringJobIds(AlertsApp app)
    {
        using var connection = app.Get<JobStorage>().GetConnection();
        return [.. connection.GetRecurringJobs().Select(j => j.Id)];
    }

    private sealed class FromLoopback : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Loopback;
                context.Connection.LocalIpAddress = IPAddress.Loopback;
                return following(context);
            });
            next(app);
        };
    }
}
