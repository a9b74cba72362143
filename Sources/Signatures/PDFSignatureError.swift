import Render

/// Why a PDF cannot be signed: the PDF reader's error (module Render), under the name the signer's
/// callers know.
public typealias PDFSignatureError = PDFFileError
