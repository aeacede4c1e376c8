namespace CnnGen.Runtime.Tests.Training;

/// <summary>An <see cref="IProgress{T}"/> that calls <paramref name="action"/> synchronously (<see cref="Progress{T}"/> posts to a context).</summary>
internal sealed class Callback<T>(Action<T> action) : IProgress<T>
{
    public void Report(T value) => action(value);
}
