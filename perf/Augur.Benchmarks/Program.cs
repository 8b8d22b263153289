using BenchmarkDotNet.Running;

// dotnet run -c Release --project perf/Augur.Benchmarks -- --filter '*ResponseCacheHit*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Augur.Benchmarks.ResponseCacheHitBenchmarks).Assembly).Run(args);
