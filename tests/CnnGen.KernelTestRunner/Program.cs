using System.Reflection;
using CnnGen.Runtime.Kernels;
using Xunit.Sdk;

// Runs every [Fact] and every [Theory] case of the compiled-in kernel tests, or of the test classes whose names
// contain one of the arguments; prints the kernels' vector width and each failure, and exits 1 on any failure
// (or when nothing ran). Test classes run one after the other, each method on a new instance, as xunit does.
string[] filters = args;
int passed = 0, failed = 0, skipped = 0;
IEnumerable<Type> testClasses = typeof(Program).Assembly.GetTypes()
    .Where(type => type.IsPublic && type.IsClass && !type.IsAbstract && (filters.Length == 0 || filters.Any(filter => type.Name.Contains(filter, StringComparison.Ordinal))))
    .OrderBy(type => type.FullName, StringComparer.Ordinal);
foreach (Type type in testClasses)
{
    foreach (MethodInfo method in type.GetMethods().Where(method => method.GetCustomAttribute<FactAttribute>() is not null))
    {
        FactAttribute fact = method.GetCustomAttribute<FactAttribute>()!;
        if (fact.Skip is not null)
        {
            skipped++;
            continue;
        }

        IEnumerable<object?[]> cases = fact is TheoryAttribute
            ? method.GetCustomAttributes<DataAttribute>().SelectMany(data => data.GetData(method))
            : [[]];
        foreach (object?[] arguments in cases)
        {
            object? instance = method.IsStatic ? null : Create(type);
            try
            {
                if (method.Invoke(instance, arguments) is Task task)
                {
                    task.GetAwaiter().GetResult();
                }

                passed++;
            }
            catch (TargetInvocationException exception)
            {
                failed++;
                Console.WriteLine($"FAILED {type.Name}.{method.Name}({string.Join(", ", arguments)}):\n{exception.InnerException}");
            }
            finally
            {
                (instance as IDisposable)?.Dispose();
            }
        }
    }
}

Console.WriteLine($"Kernels: {VectorLanes.Description}. Tests: {passed} passed, {failed} failed, {skipped} skipped.");
return failed == 0 && passed > 0 ? 0 : 1;

// A test class takes nothing, or xunit's ITestOutputHelper (its log lines go to the console), as xunit allows.
static object Create(Type type) =>
    type.GetConstructor(Type.EmptyTypes) is not null
        ? Activator.CreateInstance(type)!
        : Activator.CreateInstance(type, new ConsoleTestOutput())!;

/// <summary>xunit's per-test log, printed.</summary>
internal sealed class ConsoleTestOutput : Xunit.Abstractions.ITestOutputHelper
{
    public void WriteLine(string message) => Console.WriteLine(message);

    public void WriteLine(string format, params object[] args) => Console.WriteLine(format, args);
}
