using System.Reflection;
using CnnGen.Runtime;

namespace CnnGen.Integration.Tests.Support;

/// <summary>Every network class this test assembly declares, found by reflection, so a network added later is covered too.</summary>
internal static class DeclaredNetworks
{
    public static readonly IReadOnlyDictionary<string, Type> ByName = typeof(DeclaredNetworks).Assembly.GetTypes()
        .Where(type => typeof(INetwork).IsAssignableFrom(type) && !type.IsAbstract && type.GetConstructor(Type.EmptyTypes) is not null)
        .ToDictionary(type => type.Name);

    public static INetwork Create(string name) => (INetwork)Activator.CreateInstance(ByName[name])!;

    /// <summary>Calls the generated <c>Freeze()</c> (not part of <see cref="INetwork"/>).</summary>
    public static void Freeze(INetwork network) =>
        network.GetType().GetMethod("Freeze", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes)!.Invoke(network, null);
}
