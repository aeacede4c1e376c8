using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/CnnGen.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
