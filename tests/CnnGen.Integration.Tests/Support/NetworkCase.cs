using CnnGen.Integration.Tests.Networks;
using CnnGen.Integration.Tests.Oracles;
using CnnGen.Runtime;

namespace CnnGen.Integration.Tests.Support;

/// <summary>A generated network paired with the oracle that describes the same layers.</summary>
internal sealed record NetworkCase(string Name, Func<INetwork> Create, OracleNetwork Oracle)
{
    /// <summary>
    /// Training-mode output differs from the oracle's — dropout is random, BatchNorm normalizes by the batch's
    /// statistics — so the oracle describes only inference (the layers' training modes have tests of their own).
    /// </summary>
    public bool OracleIsInferenceOnly { get; init; }

    public override string ToString() => Name;
}

/// <summary>Every declared test network by name, for <c>[MemberData]</c>.</summary>
internal static class NetworkCases
{
    public static readonly IReadOnlyDictionary<string, NetworkCase> ByName = ConvNetworks.Cases
        .Concat(PoolNetworks.Cases)
        .Concat(DenseNetworks.Cases)
        .Concat(DropoutNetworks.Cases)
        .Concat(ActivationNetworks.Cases)
        .Concat(CompositeNetworks.Cases)
        .Concat(BufferSharingNetworks.Cases)
        .Concat(GemmSizeNetworks.Cases)
        .Concat(ReferenceNetworks.Cases)
        .Concat(GraphNetworks.Cases)
        .ToDictionary(c => c.Name);

    public static TheoryData<string> Names(Func<NetworkCase, bool>? filter = null)
    {
        var data = new TheoryData<string>();
        foreach (NetworkCase network in ByName.Values.Where(filter ?? (_ => true)))
        {
            data.Add(network.Name);
        }

        return data;
    }
}
