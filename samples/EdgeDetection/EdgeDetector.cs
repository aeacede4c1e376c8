using CnnGen;

namespace EdgeDetection;

/// <summary>One 3×3 convolution over a 6×6 grey image: the classic vertical edge detector.</summary>
[Network]
[Input(1, 6, 6)]
[Conv2D(1, 3, Name = "edges")]
public partial class EdgeDetector;
