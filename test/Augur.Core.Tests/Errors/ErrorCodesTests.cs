using Augur.Errors;
using Augur.Inference;

namespace Augur.Core.Tests.Errors;

public sealed class ErrorCodesTests
{
    [Theory]
    [InlineData(ErrorCode.InvalidArgument, 400, 3)]
    [InlineData(ErrorCode.NotFound, 404, 5)]
    [InlineData(ErrorCode.Unavailable, 503, 14)]
    [InlineData(ErrorCode.DeadlineExceeded, 504, 4)]
    [InlineData(ErrorCode.ResourceExhausted, 503, 8)]
    [InlineData(ErrorCode.PayloadTooLarge, 413, 8)]
    [InlineData(ErrorCode.Cancelled, 499, 1)]
    [InlineData(ErrorCode.Internal, 500, 13)]
    public void EachCode_MapsToItsHttpAndGrpcStatus(ErrorCode code, int http, int grpc)
    {
        Assert.Equal(http, code.ToHttpStatus());
        Assert.Equal(grpc, code.ToGrpcStatus());
    }

    [Fact]
    public void EveryCode_IsCoveredByTheMappingTest()
    {
        // A new code must get an explicit row above (and an explicit mapping), not fall into "500/INTERNAL".
        Assert.Equal(8, Enum.GetValues<ErrorCode>().Length);
    }

    [Fact]
    public void InferenceError_FactoriesSetTheCode()
    {
        Assert.Equal(new InferenceError(ErrorCode.InvalidArgument, "m"), InferenceError.Invalid("m"));
        Assert.Equal(new InferenceError(ErrorCode.NotFound, "m"), InferenceError.NotFound("m"));
        Assert.Equal(new InferenceError(ErrorCode.Unavailable, "m"), InferenceError.Unavailable("m"));
        Assert.Equal("NotFound: unknown model 'x'", InferenceError.NotFound("unknown model 'x'").ToString());
    }

    [Fact]
    public void InferenceException_CarriesTheError()
    {
        var error = new InferenceError(ErrorCode.DeadlineExceeded, "too slow");
        var ex = new InferenceException(error);

        Assert.Same(error, ex.Error);
        Assert.Equal(ErrorCode.DeadlineExceeded, ex.Code);
        Assert.Equal("too slow", ex.Message);
    }

    [Fact]
    public void InferenceResult_IsEitherResponseOrError()
    {
        var response = new InferenceResponse("m", "1", "id", [], default);
        InferenceResult success = response;
        InferenceResult failure = InferenceError.Invalid("bad");

        Assert.True(success.IsSuccess);
        Assert.Same(response, success.Response);
        Assert.Null(success.Error);
        Assert.Same(response, success.GetResponseOrThrow());

        Assert.False(failure.IsSuccess);
        Assert.Null(failure.Response);
        var ex = Assert.Throws<InferenceException>(() => failure.GetResponseOrThrow());
        Assert.Equal(ErrorCode.InvalidArgument, ex.Code);
        Assert.Equal("bad", ex.Message);
    }
}
