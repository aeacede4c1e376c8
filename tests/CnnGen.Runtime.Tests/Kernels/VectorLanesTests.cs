using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CnnGen.Runtime.Kernels;

namespace CnnGen.Runtime.Tests.Kernels;

/// <summary>
/// Which vector width the kernels run at: never scalar on x64 or Arm64. CI runs this suite under each JIT
/// restriction (.ci/run) and says what it expects through <c>CNNGEN_EXPECTED_VECTOR_BITS</c> (512, 256, 128) and
/// <c>CNNGEN_EXPECTED_FMA</c> (true, false), so a restriction that silently stopped working fails here.
/// </summary>
public unsafe class VectorLanesTests
{
    [Fact]
    public void Kernels_run_at_the_widest_accelerated_width_never_scalar()
    {
        int widest = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;
        Assert.Equal(widest, VectorLanes.Bits);
        if (RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64)
        {
            Assert.True(VectorLanes.Bits >= 128, $"{VectorLanes.Description}: x64 and Arm64 always have 128-bit SIMD");
        }

        if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
        {
            Assert.True(VectorLanes.FusedMultiplyAdd, "AdvSimd has fused multiply-add");
        }
    }

    [Fact]
    public void The_width_and_fma_are_what_ci_asked_the_jit_for()
    {
        string? bits = Environment.GetEnvironmentVariable("CNNGEN_EXPECTED_VECTOR_BITS");
        string? fma = Environment.GetEnvironmentVariable("CNNGEN_EXPECTED_FMA");
        if (bits is not null)
        {
            Assert.Equal(int.Parse(bits, System.Globalization.CultureInfo.InvariantCulture), VectorLanes.Bits);
        }

        if (fma is not null)
        {
            Assert.Equal(bool.Parse(fma), VectorLanes.FusedMultiplyAdd);
        }
    }

    [Fact]
    public void The_gemm_tile_and_the_dense_panels_are_the_selected_widths()
    {
        int lanes = VectorLanes.Bits / 32;
        Assert.Equal(2 * lanes, Gemm.TileColumns);
        Assert.Equal(lanes, DensePanels.Pack(4 * lanes, 3, new float[4 * lanes * 3]).Lanes);
    }

    [Fact]
    public void A_broadcast_load_puts_the_float_at_its_address_in_every_lane()
    {
        float[] values = [1.5f, -2.25f, float.MaxValue, -0f, float.Epsilon, 3.75f];
        for (int i = 0; i < values.Length; i++)
        {
            // The kernels pin what they broadcast from (Lanes128 may load it through a pointer); so does this test.
            fixed (float* pinned = values)
            {
                Assert.Equal(Vector128.Create(values[i]), Lanes128.LoadBroadcast(ref values[i]));
                Assert.Equal(Vector256.Create(values[i]), Lanes256.LoadBroadcast(ref values[i]));
                Assert.Equal(Vector512.Create(values[i]), Lanes512.LoadBroadcast(ref values[i]));
            }
        }
    }
}
