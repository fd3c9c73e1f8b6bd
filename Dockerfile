# syntax=docker/dockerfile:1
# Build:  docker build -t alerts .
# Run:    docker run -p 8080:8080 -v alerts-data:/app/data -e Alerts__Telegram__BotToken=... alerts

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Solution, central build settings and project files first, so that restore is cached until a dependency changes.
COPY Alerts.sln global.json Directory.Build.props Directory.Packages.props ./
COPY src/Alerts.Core/Alerts.Core.csproj src/Alerts.Core/
COPY src/Alerts.Storage/Alerts.Storage.csproj src/Alerts.Storage/
COPY src/Alerts.Telegram/Alerts.Telegram.csproj src/Alerts.Telegram/
COPY src/Alerts.Discord/Alerts.Discord.csproj src/Alerts.Discord/
COPY src/Alerts.Host/Alerts.Host.csproj src/Alerts.Host/
RUN dotnet restore src/Alerts.Host/Alerts.Host.csproj
COPY src/ src/
COPY config/ config/
RUN dotnet build src/Alerts.Host/Alerts.Host.csproj -c Release --no-restore

# Unit tests that need neither Node.js nor PostgreSQL; `docker build --target test .` runs them.
FROM build AS test
COPY tests/ tests/
RUN dotnet test tests/Alerts.Core.Tests/Alerts.Core.Tests.csproj -c Release

FROM build AS publish
RUN dotnet publish src/Alerts.Host/Alerts.Host.csproj -c Release --no-build -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=publish /app ./
# SQLite lives in /app/data (Data Source=data/alerts.db, relative to the working directory); the app user must own it.
# A named volume takes this owner on first use; a host directory mounted there must be owned by $APP_UID (1654).
RUN mkdir -p /app/data && chown "$APP_UID" /app/data
USER $APP_UID
ENV ASPNETCORE_URLS=http://+:8080
EXPOSE 8080
VOLUME ["/app/data"]
# The runtime image has no curl: the binary asks its own /healthz (exit 0 for ok or degraded, 1 for unhealthy or no answer).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["dotnet", "Alerts.Host.dll", "healthcheck", "--url", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["dotnet", "Alerts.Host.dll"]
