    {{ return(0.2 if country == 'FR' else 0.1) }}
