using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Alerts.Host.Delivery;
using Alerts.Host.Tests.Fakes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Alerts.Host.Tests;

/// <summary>
/// The service in-process with in-memory stores, a word matcher and the line-ticker parser; the console
/// channel writes to <see cref="Console"/>. Each test creates its own with <c>await using</c>.
/// </summary>
internal sealed class AlertsApp : WebApplicationFactory<Program>
{
    public Dictionary<string, string?> Settings { get; } = new()
    {
        ["Alerts:Sources:0:Id"] = "test",
        ["Alerts:Sources:0:Kind"] = "feed",
        ["Alerts:Sources:0:Url"] = "http://127.0.0.1:9/unused",
        ["Alerts:Sources:0:PollInterval"] = "00:00:02",
        ["Alerts:Polling:Enabled"] = "false",
        ["Alerts:Polling:Timeout"] = "00:00:10",
        ["Alerts:Storage:Provider"] = "Sqlite",
        ["Alerts:Storage:ConnectionString"] = "Data Source=unused.db",
        ["Alerts:ConsoleSubscriptions:0:Subscriber"] = "demo",
        ["Alerts:ConsoleSubscriptions:0:Query"] = "Ukraine",
        ["Alerts:Dispatch:IdlePollInterval"] = "00:00:00.200",
        ["Alerts:Leases:Duration"] = "00:00:03",
    };

    public InMemoryAlertStore Store { get; } = new();

    /// <summary>The service's own ticker parsers instead of the line-ticker parser (for tests of real pages).</summary>
    public bool RealParsers { get; init; }

    public StringWriter Console { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>Last changes to the services, after the in-memory stores are in.</summary>
    public Action<IServiceCollection>? ConfigureTestServices { get; set; }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(Settings));
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<Alerts.Storage.Migrations.IStorageMigrator>();
            services.RemoveAll<ITickerStateStore>();
            services.RemoveAll<IOutboxStore>();
            services.RemoveAll<ILeaseStore>();
            services.RemoveAll<ISubscriptionStore>();
            services.RemoveAll<ISubscriptionMatcher>();
            if (!RealParsers)
            {
                services.RemoveAll<ITickerParser>();
                services.AddSingleton<ITickerParser, LineTickerParser>();
            }

            services.AddSingleton<ITickerStateStore>(Store);
            services.AddSingleton<IOutboxStore>(Store);
            services.AddSingleton<ILeaseStore>(Store);
            services.AddSingleton<ISubscriptionStore>(Store);
            services.AddSingleton<ISubscriptionMatcher, WordMatcher>();

            var console = services.Where(d => d.ServiceType == typeof(IAlertChannel) && (d.ImplementationType == typeof(ConsoleAlertChannel) || d.ImplementationFactory is not null)).ToList();
            console.ForEach(d => services.Remove(d));
            services.AddSingleton<IAlertChannel>(new ConsoleAlertChannel(TextWriter.Synchronized(Console)));
            services.AddSingleton<ILoggerProvider>(Logs);
            ConfigureTestServices?.Invoke(services);
        });
    }
}
