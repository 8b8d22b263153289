
fuzz*
i8INT8*¬