using Augur.Benchmarks;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project perf/Augur.Benchmarks -- --filter '*ResponseCacheHit*' --job short
// dotnet run -c Release --project perf/Augur.Benchmarks -- --filter '*DecodeInferRequest*' --job short
// dotnet run -c Release --project perf/Augur.Benchmarks -- agree fuzz/corpus/json [MUTATIONS]   (the decoders agree)
if (args is ["agree", var folder, .. var rest])
{
    return DecoderAgreement.Run(folder, rest is [var n] ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 2000);
}

BenchmarkSwitcher.FromAssembly(typeof(ResponseCacheHitBenchmarks).Assembly).Run(args);
return 0;
