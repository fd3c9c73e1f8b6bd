using System.Net;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Alerts.Host.Delivery;
using Alerts.Host.Options;
using Alerts.Host.Polling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace Alerts.Host.Tests.Delivery;

public sealed class ChannelTests
{
    private static readonly OutboxAlert Alert = new(
        7, "console:demo", "ntv", "k1", new DateTimeOffset(2025, 12, 1, 14, 29, 0, TimeSpan.Zero),
        "Selenskyj reist nach Paris", "Der Präsident trifft Macron.\n\nMehr folgt.", "https://example.test/a#k1", "Selenskyj", ["Selenskyj"],
        new DateTimeOffset(2025, 12, 1, 14, 30, 0, TimeSpan.Zero));

    private static readonly AlertContext Context = new("ntv.de Ukraine", TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));

    [Fact]
    public async Task TheConsoleChannelWritesHeadlineLocalTimeSourceMatchedWordsBodyAndLink()
    {
        var output = new StringWriter();
        var channel = new ConsoleAlertChannel(output);

        var result = await channel.SendAsync(Alert, Context, new Subscriber("console:demo", "console", "demo"), CancellationToken.None);

        Assert.IsType<SendResult.Sent>(result);
        var text = output.ToString();
        Assert.Contains("[alert → console:demo] 01.12. 15:29 ntv.de Ukraine: Selenskyj reist nach Paris  (matched: Selenskyj)", text, StringComparison.Ordinal);
        Assert.Contains("Der Präsident trifft Macron. Mehr folgt.", text, StringComparison.Ordinal);
        Assert.Contains("https://example.test/a#k1", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200, "Sent")]
    [InlineData(204, "Sent")]
    [InlineData(429, "RateLimited")]
    [InlineData(404, "SubscriberGone")]
    [InlineData(410, "SubscriberGone")]
    [InlineData(403, "SubscriberGone")]
    [InlineData(400, "Permanent")]
    [InlineData(408, "Transient")]
    [InlineData(500, "Transient")]
    [InlineData(503, "Transient")]
    public async Task TheWebhookChannelMapsTheReceiversAnswer(int status, string expected)
    {
        await using var server = await StatusServer.StartAsync(status);
        var channel = Webhook(server.Url);

        var result = await channel.SendAsync(Alert, Context, new Subscriber("webhook:a", "webhook", "a"), CancellationToken.None);

        Assert.Equal(expected, result.GetType().Name);
        if (result is SendResult.RateLimited limited)
        {
            Assert.Equal(TimeSpan.FromSeconds(7), limited.RetryAfter);
            Assert.False(limited.Global);
        }

        Assert.Contains("\"headline\":\"Selenskyj reist nach Paris\"", server.LastBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachableWebhookIsTransient()
    {
        var channel = Webhook("http://127.0.0.1:9/hook");

        var result = await channel.SendAsync(Alert, Context, new Subscriber("webhook:a", "webhook", "a"), CancellationToken.None);

        Assert.IsType<SendResult.Transient>(result);
    }

    private static WebhookAlertChannel Webhook(string url)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new WebhookOptions { Url = url });
        var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        return new WebhookAlertChannel(services.GetRequiredService<IHttpClientFactory>(), options, new InstanceIdentity(Microsoft.Extensions.Options.Options.Create(new AlertsOptions { InstanceId = "test" })));
    }

    private sealed class StatusServer : IAsyncDisposable
    {
        private readonly WebApplication app;

        private StatusServer(WebApplication app) => this.app = app;

        public string Url { get; private set; } = "";

        public string LastBody { get; private set; } = "";

        public static async Task<StatusServer> StartAsync(int status)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var server = new StatusServer(app);
            app.MapPost("/hook", async (HttpContext context) =>
            {
                server.LastBody = await new StreamReader(context.Request.Body).ReadToEndAsync();
                if (status == (int)HttpStatusCode.TooManyRequests)
                {
                    context.Response.Headers.RetryAfter = "7";
                }

                context.Response.StatusCode = status;
            });
            await app.StartAsync();
            server.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";
            return server;
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
