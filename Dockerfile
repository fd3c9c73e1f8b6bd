# syntax=docker/dockerfile:1
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
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

FROM build AS publish
RUN dotnet publish src/Alerts.Host/Alerts.Host.csproj -c Release --no-build -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=publish /app ./
ENV ASPNETCORE_URLS=http://+:8080
EXPOSE 8080
VOLUME ["/app/data"]
USER $APP_UID
ENTRYPOINT ["dotnet", "Alerts.Host.dll"]
