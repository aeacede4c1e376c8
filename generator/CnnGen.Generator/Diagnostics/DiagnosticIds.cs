namespace CnnGen.Generator.Diagnostics;

/// <summary>
/// Stable diagnostic IDs. Roslyn-free so that shape inference can name its problems; the
/// descriptors (severity, message format) live in <see cref="DiagnosticDescriptors"/>.
/// </summary>
internal static class DiagnosticIds
{
    public const string ConvOutputNotWhole = "CNN0001";
    public const string PoolOutputNotWhole = "CNN0002";
    public const string OutputBelowOne = "CNN0003";
    public const string ArgumentOutOfRange = "CNN0004";
    public const string DenseNeedsVector = "CNN0005";
    public const string MissingInput = "CNN0006";
    public const string DuplicateInput = "CNN0007";
    public const string MisplacedInput = "CNN0008";
    public const string DuplicateLayerName = "CNN0009";
    public const string ClassNotPartial = "CNN0010";
    public const string UnsupportedClassShape = "CNN0011";
    public const string NoLayers = "CNN0012";
    public const string LayerNeedsImage = "CNN0013";
    public const string ConflictingPadding = "CNN0014";
    public const string InvalidLayerName = "CNN0015";
    public const string WeightsFileNotFound = "CNN0016";
    public const string WeightsFileUnreadable = "CNN0017";
    public const string WeightsTensorMissing = "CNN0018";
    public const string WeightsShapeMismatch = "CNN0019";
    public const string WeightsTensorUnexpected = "CNN0020";
    public const string ArenaOverBudget = "CNN0021";
    public const string UnknownTensorName = "CNN0022";
    public const string ForwardTensorReference = "CNN0023";
    public const string UnreadTensor = "CNN0024";
    public const string UnusedBranch = "CNN0025";
    public const string MergeShapeMismatch = "CNN0026";
    public const string LayersSplitAcrossDeclarations = "CNN0027";

    /// <summary>The shape problems that are warnings: the network still compiles.</summary>
    public static bool IsWarning(string id) => id is PoolOutputNotWhole or UnreadTensor or UnusedBranch;
}
