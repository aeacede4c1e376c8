using CnnGen.Runtime.Kernels;
using CnnGen.Runtime.Rules;

namespace CnnGen.Runtime.Tests.Rules;

/// <summary><see cref="KernelSupport"/> against counting vectors one by one, and against the kernels that refuse what it refuses.</summary>
public sealed class KernelSupportTests
{
    [Fact]
    public void Dense_panels_take_layers_of_at_least_four_vectors_of_units()
    {
        foreach (int lanes in new[] { 4, 8, 16 })
        {
            for (int outputs = 1; outputs <= 100; outputs++)
            {
                int vectors = 0;
                for (int covered = 0; covered < outputs; covered += lanes)
                {
                    vectors++;
                }

                Assert.Equal(vectors >= 4, KernelSupport.DensePanels(outputs, lanes));
                if (KernelSupport.DensePanels(outputs, lanes))
                {
                    Assert.Equal(outputs, DensePanels.Pack(outputs, 2, new float[outputs * 2], lanes).Outputs);
                }
                else
                {
                    Assert.Throws<ArgumentOutOfRangeException>(() => DensePanels.Pack(outputs, 2, new float[outputs * 2], lanes));
                }
            }
        }
    }

    [Fact]
    public void Dense_panels_on_some_machine_means_on_the_narrowest_vectors()
    {
        for (int outputs = 1; outputs <= 100; outputs++)
        {
            bool anyMachine = new[] { 4, 8, 16 }.Any(lanes => KernelSupport.DensePanels(outputs, lanes));
            Assert.Equal(anyMachine, KernelSupport.DensePanelsOnSomeMachine(outputs));
            Assert.Equal(outputs > 12, KernelSupport.DensePanelsOnSomeMachine(outputs)); // 13 units = 4 vectors of 4
            Assert.True(!DensePanels.Takes(outputs) || KernelSupport.DensePanelsOnSomeMachine(outputs), $"{outputs} units");
        }
    }

    [Fact]
    public void The_row_convolution_takes_unit_horizontal_stride_only()
    {
        foreach (int strideX in new[] { 1, 2, 3 })
        {
            var shape = new ConvolutionShape(1, 8, 8, 2, 4, 6 / strideX, 3, 3, 1, strideX, 1, 1, 0, 0);
            Assert.Equal(strideX == 1, KernelSupport.RowConvolution(strideX));
            Assert.Equal(strideX == 1, RowConvolution.Supports(shape));
            if (strideX != 1)
            {
                Assert.Throws<ArgumentException>(() => RowConvolution.Forward(
                    shape, new float[64], new float[18], default, new float[2 * shape.OutputPixels]));
            }
        }
    }

    [Fact]
    public void The_input_gradient_shape_exists_exactly_where_the_rule_allows_it()
    {
        for (int padding = 0; padding <= 4; padding++)
        {
            foreach (int stride in new[] { 1, 2 })
            {
                var shape = new ConvolutionShape(2, 10, 10, 3, 8, 8, 3, 3, stride, stride, 1, 1, padding, padding);
                if (KernelSupport.InputGradientAsConvolution(stride, 3, 1, padding))
                {
                    ConvolutionShape gradient = ImplicitConvolution.InputGradientShape(shape);
                    Assert.Equal(2 - padding, gradient.PaddingTop);
                    Assert.Equal((shape.OutputChannels, shape.InputChannels), (gradient.InputChannels, gradient.OutputChannels));
                }
                else
                {
                    Assert.Throws<ArgumentException>(() => ImplicitConvolution.InputGradientShape(shape));
                }
            }
        }
    }
}
