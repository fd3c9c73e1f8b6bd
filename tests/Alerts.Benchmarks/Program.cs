using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Alerts.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
