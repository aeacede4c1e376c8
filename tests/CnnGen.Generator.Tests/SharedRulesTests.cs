using CnnGen.Generator.Rules;
using CnnGen.Generator.Shapes;

namespace CnnGen.Generator.Tests;

/// <summary>
/// The shared rules (<c>rules/</c>, compiled into the generator and the runtime alike; their own tests against naive
/// references are in CnnGen.Runtime.Tests/Rules) as the generator uses them: the padded extent the runtime's
/// bordered copies take is the inverse of <see cref="AxisGeometry"/>'s output-size formula.
/// </summary>
public sealed class SharedRulesTests
{
    [Fact]
    public void The_padded_extent_round_trips_through_the_output_size_formula()
    {
        int cases = 0;
        for (int input = 1; input <= 40; input++)
        {
            for (int kernel = 1; kernel <= 7; kernel++)
            {
                for (int stride = 1; stride <= 4; stride++)
                {
                    for (int dilation = 1; dilation <= 3; dilation++)
                    {
                        for (int before = 0; before <= 3; before++)
                        {
                            for (int after = 0; after <= 3; after++)
                            {
                                var axis = new AxisGeometry(input, kernel, stride, before, after, dilation, IsPadded: true);
                                if (axis.Output < 1)
                                {
                                    continue;
                                }

                                int extent = ConvolutionGeometry.PaddedExtent(axis.Output, kernel, stride, dilation);
                                var exact = new AxisGeometry(extent, kernel, stride, 0, 0, dilation, IsPadded: false);
                                Assert.True(exact.IsWhole, exact.Formula);
                                Assert.Equal(axis.Output, exact.Output);
                                Assert.True(extent <= input + before + after, $"{extent} > {axis.Formula}");
                                Assert.Equal(axis.Dropped, input + before + after - extent); // what flooring leaves out
                                cases++;
                            }
                        }
                    }
                }
            }
        }

        Assert.True(cases > 20_000, $"only {cases} cases");
    }
}
